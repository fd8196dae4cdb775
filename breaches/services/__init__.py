"""The breach register's writes: register (opening a breach, the DPO's steps on the record)
and alerts (the 72-hour clock's e-mails to the DPO)."""
