"""A real IMAP server for the intake tests: Dovecot (Debian's dovecot-imapd, installed by
`make mailserver`) started as a subprocess with its own configuration in a temporary
directory: 127.0.0.1 on a free port, one passwd-file user with a plain password, Maildir
under the same directory, no SSL. Nothing of the system's /etc/dovecot is read.
"""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.mail import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER = "intake"
PASSWORD = "intake-test-password"


@dataclass
class Dovecot:
    host: str
    port: int
    user: str
    password: str
    process: subprocess.Popen
    root: Path

    def connect(self) -> imaplib.IMAP4:
        connection = imaplib.IMAP4(self.host, self.port, timeout=10)
        connection.login(self.user, self.password)
        return connection

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        """Put a message in `folder` as a mail server would (IMAP APPEND, unseen)."""
        connection = self.connect()
        try:
            kind, data = connection.append(folder, "", None, raw)
            assert kind == "OK", data
        finally:
            connection.logout()

    def flags(self, folder: str = "INBOX") -> list[bytes]:
        """The flags of every message in `folder`, in order."""
        connection = self.connect()
        try:
            kind, data = connection.select(folder)
            if kind != "OK" or data[0] == b"0":
                return []
            kind, data = connection.fetch("1:*", "(FLAGS)")
            return [item for item in data if item] if kind == "OK" else []
        finally:
            connection.logout()

    def empty(self) -> None:
        """Delete every message of every folder the tests use."""
        connection = self.connect()
        try:
            for folder in ("INBOX", "Processed"):
                kind, data = connection.select(folder)
                if kind != "OK" or data[0] == b"0":
                    continue
                connection.store("1:*", "+FLAGS.SILENT", "(\\Deleted)")
                connection.expunge()
        finally:
            connection.logout()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def unavailable_reason() -> str | None:
    if not os.path.exists(DOVECOT):
        return "Dovecot is not installed: run `make mailserver` (Debian package dovecot-imapd)"
    return None


def _accounts() -> tuple[str, str, int, int]:
    """(login user, internal user, mail uid, mail gid). Dovecot refuses to serve mail as
    root, so when the tests run as root the mail belongs to the package's own account."""
    if os.getuid() != 0:
        me = pwd.getpwuid(os.getuid()).pw_name
        return me, me, os.getuid(), os.getgid()
    account = pwd.getpwnam("dovecot")
    login = "dovenull" if _exists("dovenull") else "dovecot"
    return login, "dovecot", account.pw_uid, account.pw_gid


def _exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
    except KeyError:
        return False
    return True


def start_dovecot(root: Path) -> Dovecot:
    login_user, internal_user, uid, gid = _accounts()
    port = free_port()
    for name in ("run", "state", "mail"):
        (root / name).mkdir(parents=True, exist_ok=True)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{root / 'mail' / USER}\n")
    config = root / "dovecot.conf"
    config.write_text(f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root / 'run'}
state_dir = {root / 'state'}
log_path = {root / 'dovecot.log'}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {grp.getgrgid(pwd.getpwnam(internal_user).pw_gid).gr_name}
first_valid_uid = {min(uid, 100)}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Processed {{
    auto = create
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root / 'passwd'}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root / 'passwd'}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
""")
    if os.getuid() == 0:
        for path in (root, root / "mail", root / "state"):
            os.chown(path, uid, gid)
        os.chmod(root, 0o755)
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    server = Dovecot("127.0.0.1", port, USER, PASSWORD, process, root)
    deadline = time.monotonic() + 20
    while True:
        try:
            server.connect().logout()
            return server
        except (OSError, imaplib.IMAP4.error) as exc:
            if process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                output = process.stdout.read().decode(errors="replace") if process.stdout else ""
                raise RuntimeError(f"Dovecot did not start: {exc}\n{output}\n{log}") from exc
            time.sleep(0.1)
