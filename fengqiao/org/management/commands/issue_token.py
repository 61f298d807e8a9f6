from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from fengqiao.org.models import User


class Command(BaseCommand):
    help = "Print an API token for a user (header: Authorization: Token <token>)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--rotate", action="store_true", help="Replace the user's existing token.")

    def handle(self, *args, username: str, rotate: bool, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        if rotate:
            Token.objects.filter(user=user).delete()
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
