"""The records the DPO keeps: the disclosure log and the record of processing (Article 30)."""
