"""sso's pages: the login flow (login.py), the client admin console (console.py) and the staff
page of an organisation's single sign-on (backoffice.py)."""
