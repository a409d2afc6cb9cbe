# The predictor's on-core test program (tests/predict/test_oncore.cpp runs it on the Verilated
# core complex). Included by firmware/image/CMakeLists.txt; linked for the core complex model's
# 64 KiB + 64 KiB (its input, output and a 16 x 3 predictor do not fit the card's 16 KiB).
shoal_fw_image_sized(predict_oncore 65536 65536 ${CMAKE_CURRENT_LIST_DIR}/predict_oncore.cpp)
target_include_directories(predict_oncore PRIVATE ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(predict_oncore PRIVATE shoal_policy)
target_compile_options(predict_oncore PRIVATE -Werror)
