"""accounts' pages, one module per audience: account (an end user's own page, and the links
mailed to users: invitation, e-mail confirmation), console (the client admin), people (the
back office)."""
