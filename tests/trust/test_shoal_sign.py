#!/usr/bin/env python3
"""shoal-sign end to end (CTest trust-shoal-sign): keygen, sign, verify, show, pubkey and
their errors. Every refusal must exit 2 (bad input) or 1 (verify: refused) with a clear message
and leave no output file behind.

    test_shoal_sign.py SHOAL_SIGN FIRMWARE.elf DOCS/firmware-signing.md
"""
import json
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

TOOL, ELF, DOC = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
# the documented co-simulation test key (docs/firmware-signing.md)
TEST_PUB = "96f72e44a804374bacdf0af7b9c9f669a3c45623e4dcbf597d2f95fdf58a26cc"
TEST_ID = "c45615a53dd72268"
failures = []


def run(*args, want=0, out_has=(), err_has=()):
    p = subprocess.run([TOOL, *map(str, args)], capture_output=True, text=True, timeout=60)
    ok = p.returncode == want and all(s in p.stdout for s in out_has) and all(s in p.stderr for s in err_has)
    if not ok:
        failures.append(f"shoal-sign {' '.join(map(str, args))}: rc {p.returncode} (want {want})\n"
                        f"  stdout: {p.stdout.strip()}\n  stderr: {p.stderr.strip()}\n"
                        f"  wanted stdout {out_has} stderr {err_has}")
    return p


def check(cond, what):
    if not cond:
        failures.append(what)


with tempfile.TemporaryDirectory() as tmp:
    t = Path(tmp)
    # --- keygen
    run("keygen", "-o", t / "test", "--test-key", out_has=(TEST_ID, "TEST key"))
    check(TEST_PUB in (t / "test.pub").read_text(), "the test key's public half is the documented one")
    check(stat.S_IMODE(os.stat(t / "test.key").st_mode) == 0o600, "secret key file mode 0600")
    check("TEST KEY" in (t / "test.key").read_text(), "the test key file says it is the test key")
    # docs/firmware-signing.md states the test key: public key, key id, and the proposed params
    doc = DOC.read_text()
    pub = bytes.fromhex(TEST_PUB)
    for want in [TEST_PUB, TEST_ID, "SHOAL TEST KEY - NOT A SECRET!!!"] + [
            f"fw_pubkey_{i} = 0x{int.from_bytes(pub[4 * i:4 * i + 4], 'little'):08x}" for i in range(8)]:
        check(want in doc, f"docs/firmware-signing.md states {want!r}")
    before = (t / "test.key").read_text()
    run("keygen", "-o", t / "test", want=2, err_has=("refusing to overwrite",))
    check((t / "test.key").read_text() == before, "a refused keygen leaves the key alone")
    run("keygen", "-o", t / "a")
    run("keygen", "-o", t / "b")
    check((t / "a.pub").read_text() != (t / "b.pub").read_text(), "two random keys differ")
    check("TEST" not in (t / "a.key").read_text(), "a random key is not labelled as the test key")
    run("pubkey", t / "a.key", out_has=("shoal-sign-public-key-v1",))
    check(run("pubkey", t / "a.key").stdout.split()[-1] in (t / "a.pub").read_text(), "pubkey matches the .pub file")

    # --- sign
    img = t / "fw.simg"
    run("sign", ELF, "--key", t / "test.key", "--version", 3, "--fw-version", "1.2.3", "-o", img,
        out_has=("rollback version 3", TEST_ID))
    check(img.exists() and not Path(str(img) + ".tmp").exists(), "signed image written, no temporary left")
    run("show", img, out_has=("rollback      3", "fw_version    1.2.3", "key id        " + TEST_ID,
                              "signature     present", "segment 0     0x80000000"))
    j = json.loads(run("show", img, "--json").stdout)
    check(j["rollback"] == 3 and j["key_id"] == TEST_ID and j["signature"] == "present" and
          j["segments"][0]["addr"] == 0x80000000, f"show --json fields: {j}")

    # --- verify
    run("verify", img, "--pub", t / "test.pub", out_has=("OK", "rollback version 3"))
    run("verify", img, "--key", t / "test.key", out_has=("OK",))
    run("verify", img, "--pub", t / "test.pub", "--floor", 3, out_has=("OK",))
    run("verify", img, "--pub", t / "test.pub", "--floor", 4, want=1, out_has=("REFUSED (status 11)", "version 3 < floor 4"))
    run("verify", img, "--pub", t / "test.pub", "--floor", 4, "--allow-rollback", out_has=("OK",))
    run("verify", img, "--pub", t / "a.pub", want=1, out_has=("REFUSED (status 9)", "another key"))
    data = img.read_bytes()
    (t / "flip.simg").write_bytes(data[:300] + bytes([data[300] ^ 0x10]) + data[301:])
    run("verify", t / "flip.simg", "--pub", t / "test.pub", want=1, out_has=("REFUSED (status 10)", "bad signature"))
    (t / "unsigned.simg").write_bytes(data[:-64])
    run("verify", t / "unsigned.simg", "--pub", t / "test.pub", want=1, out_has=("status 4", "not signed"))
    run("show", t / "unsigned.simg", out_has=("signature     missing",))
    (t / "cut.simg").write_bytes(data[:-20])
    run("verify", t / "cut.simg", "--pub", t / "test.pub", want=1, out_has=("status 5", "signature truncated"))
    run("verify", ELF, "--pub", t / "test.pub", want=1, out_has=("status 1", "bad magic"))
    run("show", ELF, want=2, out_has=("bad magic",))

    # --- bad input: exit 2, a clear message, nothing written
    bad_out = t / "never.simg"
    run("sign", t / "missing.elf", "--key", t / "test.key", "--version", 1, "-o", bad_out, want=2,
        err_has=("cannot open",))
    (t / "text.elf").write_text("not an elf\n")
    run("sign", t / "text.elf", "--key", t / "test.key", "--version", 1, "-o", bad_out, want=2,
        err_has=("not an ELF file",))
    run("sign", "/bin/true", "--key", t / "test.key", "--version", 1, "-o", bad_out, want=2,
        err_has=("not a 32-bit ELF",))
    run("sign", ELF, "--key", t / "test.pub", "--version", 1, "-o", bad_out, want=2,
        err_has=("public key file",))
    (t / "junk.key").write_text("# nothing here\n")
    run("sign", ELF, "--key", t / "junk.key", "--version", 1, "-o", bad_out, want=2, err_has=("not a shoal-sign secret key",))
    (t / "short.key").write_text("shoal-sign-secret-key-v1 abcd\n")
    run("sign", ELF, "--key", t / "short.key", "--version", 1, "-o", bad_out, want=2, err_has=("not 64 hex digits",))
    run("sign", ELF, "--key", t / "test.key", "--version", 1, "--iram-bytes", 1024, "-o", bad_out, want=2,
        err_has=("the card would refuse this image", "bad segment layout"))
    run("sign", ELF, "--key", t / "test.key", "--version", 1, "--slot-bytes", 4096, "-o", bad_out, want=2,
        err_has=("larger than the card's staging slot",))
    run("sign", ELF, "--key", t / "test.key", "--version", 1, "--fw-version", "1.2", "-o", bad_out, want=2,
        err_has=("MAJOR.MINOR.PATCH",))
    run("sign", ELF, "--key", t / "test.key", "-o", bad_out, want=2)  # --version is required
    run("verify", img, want=2, err_has=("--pub",))
    run("verify", img, "--pub", t / "missing.pub", want=2, err_has=("cannot open",))
    check(not bad_out.exists() and not Path(str(bad_out) + ".tmp").exists(), "refused signing writes nothing")
    run(want=2)
    run("--help", out_has=("keygen", "sign", "verify", "show"))

if failures:
    print("\n\n".join(failures))
    print(f"FAIL: {len(failures)} check(s)")
    sys.exit(1)
print("PASS")
