# SPDX-License-Identifier: BSD-3-Clause
# octet-listener.py — a syslog collector for siem.test: accepts TCP connections on
# 127.0.0.1 (PORT, or a free port if 0), reads RFC 6587 octet-counted frames
# ("LEN SP MSG") and appends each MSG to OUT followed by a newline; a connection whose
# bytes are not octet-counted frames is reported in OUT.bad.  The port is written to
# PORTFILE once listening.
#   python3 octet-listener.py PORTFILE OUT [PORT]
import os
import socket
import sys
import threading

portfile, out = sys.argv[1], sys.argv[2]
port = int(sys.argv[3]) if len(sys.argv) > 3 else 0
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(8)
with open(portfile + ".tmp", "w") as f:
    f.write("%d\n" % srv.getsockname()[1])
os.rename(portfile + ".tmp", portfile)
lock = threading.Lock()


def bad(why):
    with lock, open(out + ".bad", "a") as f:
        f.write(why + "\n")


def serve(conn):
    buf = b""
    with conn:
        while True:
            data = conn.recv(65536)
            if not data:
                break
            buf += data
            while True:
                sp = buf.find(b" ")
                if sp < 0:
                    break
                if not buf[:sp].isdigit():
                    bad("not octet-counted: %r" % buf[:40])
                    return
                n = int(buf[:sp])
                if len(buf) < sp + 1 + n:
                    break
                frame, buf = buf[sp + 1:sp + 1 + n], buf[sp + 1 + n:]
                with lock, open(out, "ab") as f:
                    f.write(frame + b"\n")
    if buf:
        bad("connection closed in a frame: %r" % buf[:40])


while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
