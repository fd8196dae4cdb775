"""Support enquiries' URLconfs: public (under /support/) and backoffice (under
/backoffice/enquiries/)."""
