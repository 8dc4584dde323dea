from tests.notifications.receiver import webhook_server  # noqa: F401
