"""Rights requests' forms, one module per audience: intake (the requester's and the API's),
backoffice (the DPO's queue, steps and letters) and executors (one request's executors)."""
