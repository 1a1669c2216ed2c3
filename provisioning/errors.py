class WorkflowError(Exception):
    """A move that cannot be made now; the message is shown to the user as is."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class NotAllowed(WorkflowError):
    """The actor holds no role that may make this move on this dossier."""
