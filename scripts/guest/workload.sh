#!/bin/bash
# The scripted scenario each capture records (scenario.sh runs it once per driver, with the same
# tag, so both traces hold the same events): a file written, read, renamed and removed; an
# exec with a known argument; the targets of Falco's stable rules Read sensitive file untrusted,
# Create Symlink/Hardlink Over Sensitive Files, Search Private Keys or Passwords and Execution
# from /dev/shm; a TCP exchange on 127.0.0.1:7001 (socket, bind, listen, connect, accept,
# send, recv).
set -eu
T=/tmp/ft-$1
echo "hello-$1" > "$T.txt"
cat "$T.txt" > /dev/null
mv "$T.txt" "$T.moved"
rm "$T.moved"
/bin/true "arg-$1"
head -c 8 /etc/shadow > /dev/null
ln -s /etc/shadow "$T.lnk"
ln /etc/shadow "$T.hard"
find /tmp -maxdepth 1 -name id_rsa
cp /bin/true "/dev/shm/ft-true-$1"
"/dev/shm/ft-true-$1"
rm -f "/dev/shm/ft-true-$1" "$T.lnk" "$T.hard"
python3 - <<'PY'
import socket
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', 7001))
srv.listen(1)
c = socket.create_connection(('127.0.0.1', 7001))
s, _ = srv.accept()
c.sendall(b'ping-ft')
assert s.recv(16) == b'ping-ft'
s.sendall(b'pong-ft')
assert c.recv(16) == b'pong-ft'
for x in (c, s, srv):
    x.close()
PY
