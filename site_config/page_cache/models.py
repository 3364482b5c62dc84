import secrets

from django.db import models


def new_token() -> str:
    return secrets.token_hex(8)


class ContentChange(models.Model):
    """One committed change to the content; the newest rows name the content generation.

    Rows are only ever inserted (never updated), one per transaction that changes content,
    so concurrent editors never wait on each other here; old rows are pruned.
    """

    token = models.CharField(max_length=32, default=new_token, editable=False)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        get_latest_by = "id"

    def __str__(self) -> str:
        return f"content change {self.token} at {self.changed_at:%Y-%m-%d %H:%M:%S}"
