// shoal-fabric: the `fabric` command group as its own binary (shoalctl fabric ... later).
#include <curl/curl.h>

#include "fabric_cli.hpp"

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CLI::App app{"shoal-fabric: the fabric's slices and servers; borrow and give back slices (talks to shoal-fabricd)",
               "shoal-fabric"};
  bool json = false;
  int rc = 0;
  app.add_flag("--json", json, "Print the API's JSON");
  shoal::fabric::add_fabric_commands(app, json, rc);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    curl_global_cleanup();
    return code == 0 ? 0 : 2;
  }
  curl_global_cleanup();
  return rc;
}
