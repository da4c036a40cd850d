#!/usr/bin/python3
"""Regenerate the signed DKIM test messages of testdata/mail/ and their key
records in testdata/zones/dkim-mail.example.zone (dkimpy + openssl).
Run from testdata/mail/: /usr/bin/python3 generate.py
Keys are committed (keys/) so the messages stay reproducible and verifiable."""
import base64, os, subprocess, dkim, nacl.signing

D = b"dkim-mail.example"
os.makedirs("keys", exist_ok=True)

def rsa_key(name, bits):
    path = "keys/%s.pem" % name
    if not os.path.exists(path):
        subprocess.run(["openssl", "genrsa", "-traditional", "-out", path, str(bits)],
                       check=True, capture_output=True)
    pub = subprocess.run(["openssl", "rsa", "-in", path, "-pubout", "-outform", "DER"],
                         check=True, capture_output=True).stdout
    return open(path, "rb").read(), base64.b64encode(pub).decode()

def ed_key(name):
    path = "keys/%s.seed" % name
    if not os.path.exists(path):
        open(path, "wb").write(base64.b64encode(nacl.signing.SigningKey.generate().encode()))
    seed = open(path, "rb").read().strip()
    pub = nacl.signing.SigningKey(base64.b64decode(seed)).verify_key.encode()
    return seed, base64.b64encode(pub).decode()

rsa, rsa_pub = rsa_key("rsa2048", 2048)
short, short_pub = rsa_key("rsa512", 512)
ed, ed_pub = ed_key("ed25519")

BASE = (b"From: Alice <alice@dkim-mail.example>\r\n"
        b"To: Bob <bob@example.net>\r\n"
        b"Subject: quarterly figures\r\n"
        b"Date: Fri, 27 Nov 2026 20:00:00 +0000\r\n"
        b"Message-ID: <fixture-%s@dkim-mail.example>\r\n"
        b"\r\n"
        b"Hello Bob,\r\n\r\nthe figures are attached.\r\n\r\nAlice\r\n")

def msg(tag):
    return BASE.replace(b"%s", tag.encode())

def sign(m, sel, key=None, alg=b"rsa-sha256", domain=D, **kw):
    sig = dkim.sign(m, sel.encode(), domain, key or rsa, signature_algorithm=alg,
                    include_headers=[b"from", b"to", b"subject", b"date", b"message-id"], **kw)
    return sig + m

def write(name, data):
    open(name, "wb").write(data)

write("pass_rsa_sha256.eml", sign(msg("rsa"), "rsa2048"))
write("pass_ed25519.eml", sign(msg("ed"), "ed25519", ed, b"ed25519-sha256"))
write("body_tampered.eml", sign(msg("body"), "rsa2048").replace(b"attached", b"enclosed"))
write("header_tampered.eml", sign(msg("hdr"), "rsa2048").replace(b"quarterly", b"urgent"))
write("rsa_sha1.eml", sign(msg("sha1"), "rsa2048", alg=b"rsa-sha1"))
write("short_key_512.eml", sign(msg("short"), "short512", short))
write("revoked_key.eml", sign(msg("revoked"), "revoked"))
write("testing_key.eml", sign(msg("testing"), "testing"))
write("key_not_found.eml", sign(msg("nokey"), "missing"))
# A domain no test zone serves: the NSD fixture REFUSEs it (a DNS failure).
write("key_servfail.eml", sign(msg("servfail"), "rsa2048", domain=b"dkim-mail.unreachable.invalid"))
write("body_length_tail.eml",
      sign(msg("length"), "rsa2048", length=True) + b"\r\nP.S. unsigned tail added later\r\n")
write("lf_only.eml", sign(msg("lf"), "rsa2048").replace(b"\r\n", b"\n"))
write("mbox_from_line.eml",
      b"From alice@dkim-mail.example Fri Nov 27 20:00:00 2026\n" +
      sign(msg("mbox"), "rsa2048").replace(b"\r\n", b"\n"))
full = sign(msg("trunc"), "rsa2048")
write("truncated.eml", full[:full.index(b"To: Bob") + 12])
two = msg("twofrom").replace(b"To: Bob", b"From: Mallory <mallory@example.net>\r\nTo: Bob", 1)
write("two_from.eml", sign(two, "rsa2048"))
write("no_signature.eml", msg("nosig"))
# Over two 64 KiB read chunks: the body hash must survive the chunk seams.
big = msg("large").replace(b"Alice\r\n", b"Alice\r\n" + b"".join(
    b"line %06d of the quarterly appendix, padded to a fixed width....\r\n" % i
    for i in range(2000)))
write("large_body.eml", sign(big, "rsa2048"))
# Two TXT records at the key name: RFC 6376 3.6.2.2 leaves it undefined.
write("two_key_records.eml", sign(msg("twokeys"), "twice"))
# Raw 8-bit (Latin-1, not UTF-8) header fields, signed as they are.
write("latin1_headers.eml", sign(msg("latin1").replace(b"Subject: quarterly figures",
      b"Subject: cifras del trimestre, a\xf1o \xe9xito").replace(b"From: Alice", b"From: Al\xedce"),
      "rsa2048"))
# A key record over libopendkim's 1024-byte buffer (a long n= note).
write("long_key_record.eml", sign(msg("longkey"), "longnote"))
write("two_signatures.eml", sign(sign(msg("two"), "rsa2048"), "ed25519", ed, b"ed25519-sha256"))

def txt(value):
    parts = [value[i:i + 250] for i in range(0, len(value), 250)]
    return " ".join('"%s"' % p for p in parts)

zone = """; dkim-mail.example -- key records for the signed messages of testdata/mail/
; (made by testdata/mail/generate.py; the private keys are in testdata/mail/keys/).
$ORIGIN dkim-mail.example.
$TTL 3600
@	SOA	ns1 hostmaster 1 7200 3600 1209600 3600
@	NS	ns1
ns1	A	192.0.2.53
rsa2048._domainkey	TXT	%s
ed25519._domainkey	TXT	%s
short512._domainkey	TXT	%s
revoked._domainkey	TXT	"v=DKIM1; k=rsa; p="
testing._domainkey	TXT	%s
twice._domainkey	TXT	%s
twice._domainkey	TXT	"v=DKIM1; k=rsa; p="
longnote._domainkey	TXT	%s
; missing._domainkey: deliberately absent (NXDOMAIN)
""" % (txt("v=DKIM1; k=rsa; p=" + rsa_pub), txt("v=DKIM1; k=ed25519; p=" + ed_pub),
       txt("v=DKIM1; k=rsa; p=" + short_pub), txt("v=DKIM1; k=rsa; t=y; p=" + rsa_pub),
       txt("v=DKIM1; k=rsa; p=" + rsa_pub),
       txt("v=DKIM1; k=rsa; n=" + "padding." * 90 + "; p=" + rsa_pub))
open("../zones/dkim-mail.example.zone", "w").write(zone)
