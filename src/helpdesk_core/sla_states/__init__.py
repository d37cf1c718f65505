"""Each ticket's stored SLA state: the projection of its history that the desk
and the imports write beside every change, what it was computed under (the
SLA configuration's fingerprint, the customer's facts), the work queues read
from its indexes, the batch report reading it, and its rebuild.
``docs/sla.md`` ("Stored SLA states") tells the whole story."""
