from django.db import models


class Customer(models.Model):
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """Only the token's SHA-256 is stored, as in the project."""

    key_hash = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT)
    subject = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.subject
