#!/usr/bin/python3
"""dkimpy sign-then-verify (conformance/README.md, DKIM step 5): sign the
unsigned dkimpy inputs with dkimpy's keys, in every canonicalization and
both algorithms, publish each key record of dkimpy/data in a zone file, and
check what `mailaudit verify --zone` says of every signature.

  dkimpy_sign_verify.py MAILAUDIT CONFORMANCE_DIR WORKDIR

Expected: a valid key record gives pass; one dkimpy's own tests reject
(test_bad, badversion, badk, test_tlsrpt) never gives pass; a message
changed after signing gives fail. Prints one line per failed check and
"N passed, N failed"; exit 1 on any failure."""
import os, subprocess, sys

import dkim

mailaudit, conf, work = sys.argv[1:4]
data = os.path.join(conf, "dkimpy", "data")
os.makedirs(work, exist_ok=True)
DOMAIN = b"example.com"
CANONS = [(h, b) for h in (b"simple", b"relaxed") for b in (b"simple", b"relaxed")]
# message.mbox is an mbox of several messages and test_nofrom.message has no
# From field, which dkimpy refuses to sign (RFC 6376 5.4 requires it).
INPUTS = ["test.message", "rfc6376.msg", "test_extra.message", "ed25519test.msg"]
# Key record file -> does a signature made with its key pass (dkimpy's own verdicts).
RSA_RECORDS = {"test.txt": True, "test2.txt": True, "test_bad.txt": False,
               "badversion.txt": False, "badk.txt": False, "test_tlsrpt.txt": False}
ED_RECORDS = {"ed25519test.dns": True}

passed = failed = 0


def read(name):
    with open(os.path.join(data, name), "rb") as f:
        return f.read()


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL " + what)


def sign_all(selector, key, alg):
    """Every input in every canonicalization; returns [(path, tampered)]."""
    out = []
    for name in INPUTS:
        msg = read(name)
        for hc, bc in CANONS:
            signed = dkim.sign(msg, selector, DOMAIN, key, canonicalize=(hc, bc),
                               signature_algorithm=alg) + msg
            base = "%s-%s-%s-%s-%s" % (alg.decode(), selector.decode(), name, hc.decode(),
                                       bc.decode())
            for tampered in (False, True):
                body = signed + b"tampered\r\n" if tampered else signed
                path = os.path.join(work, base + ("-tampered" if tampered else "") + ".eml")
                with open(path, "wb") as f:
                    f.write(body)
                out.append((path, tampered))
    return out


def verify(zone_text, files):
    zone = os.path.join(work, "keys.zone")
    with open(zone, "w") as f:
        f.write("$ORIGIN example.com.\n$TTL 3600\n@ SOA ns hostmaster 1 7200 3600 1209600 3600\n"
                "@ NS ns\n" + zone_text)
    r = subprocess.run([mailaudit, "verify", "--zone", zone] + [p for p, _ in files],
                       capture_output=True, text=True)
    check(r.returncode == 0, "verify exit %d: %s" % (r.returncode, r.stderr.strip()))
    lines = {}
    for line in r.stdout.splitlines():
        cols = line.split("\t")
        lines.setdefault(cols[0], []).append(cols)
    return lines


def txt(record):
    record = record.decode().strip()
    parts = [record[i:i + 250] for i in range(0, len(record), 250)]
    return " ".join('"%s"' % p for p in parts)


def run(selector, records, files):
    for rec, valid in records.items():
        lines = verify("%s._domainkey TXT %s\n" % (selector.decode(), txt(read(rec))), files)
        for path, tampered in files:
            got = lines.get(path, [])
            what = "%s with %s%s" % (os.path.basename(path), rec, " (tampered)" if tampered else "")
            check(len(got) == 1, what + ": one line, got %r" % got)
            if len(got) != 1:
                continue
            result = got[0][3]
            if not valid:
                check(result != "pass", what + ": must not pass, got %s" % "\t".join(got[0][3:]))
            elif tampered:
                check(result == "fail", what + ": want fail, got %s" % "\t".join(got[0][3:]))
            else:
                check(result == "pass", what + ": want pass, got %s" % "\t".join(got[0][3:]))


run(b"test", RSA_RECORDS, sign_all(b"test", read("test.private"), b"rsa-sha256"))
run(b"ed", ED_RECORDS, sign_all(b"ed", read("ed25519test.key"), b"ed25519-sha256"))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
