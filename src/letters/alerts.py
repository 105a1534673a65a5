"""E-mail to the auditors when a scheduled fixity check finds a problem (SMTP, standard library)."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from letters.preservation.fixity import FixityReport

SMTP_TIMEOUT = 20.0


@dataclass(frozen=True)
class Mailer:
    """Where alerts go: an SMTP server and the addresses of the auditors."""

    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]

    @property
    def configured(self) -> bool:
        """Whether there is a server and someone to write to."""
        return bool(self.host and self.recipients)

    def send(self, message: EmailMessage) -> None:
        """Send one message (OSError or smtplib.SMTPException when it cannot be)."""
        message["From"] = self.sender
        message["To"] = ", ".join(self.recipients)
        with smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT) as smtp:
            smtp.send_message(message)


def fixity_alert(report: FixityReport, home: str) -> EmailMessage:
    """The e-mail telling the auditors what a fixity check found, each problem on a line."""
    count = len(report.problems)
    message = EmailMessage()
    message["Subject"] = (f"letters: the fixity check found {count} problem"
                          f"{'' if count == 1 else 's'}")
    lines = [f"The scheduled fixity check of the archive in {home} ran at {report.at}.",
             f"It checked {report.checked} letters: {report.ok} intact, {count} with a problem.", ""]
    lines += [f"- {problem.path}: {problem.problem}" for problem in report.problems[:200]]
    if count > 200:
        lines.append(f"... and {count - 200} more (see the fixity page).")
    lines += ["", "The fixity page of the archive (/fixity) says what to do about each problem."]
    message.set_content("\n".join(lines) + "\n")
    return message
