"""The outbox: every mail (and push message) leaves through a row written with the action that causes it.

`queue.py` writes and claims rows, `sender.py` delivers them through the channel handlers
(`channels.py`: channel name → send function; `mail.py` is the mail channel), `render.py` builds a mail
in its recipient's language from the templates under `templates/mail/`.
"""
