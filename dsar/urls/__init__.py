"""Rights requests' URLconfs, one per audience: public (the requester, under /rights/), account
(an end user's own requests, under /account/rights/), backoffice (the DPO's queue, under
/backoffice/requests/) and executors (one request's executors, under .../execute/)."""
