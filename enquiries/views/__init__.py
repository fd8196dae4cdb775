"""Support enquiries' pages: public (the contact form, under /support/) and backoffice (the
privacy team's list and replies, under /backoffice/enquiries/)."""
