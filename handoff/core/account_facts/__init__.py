"""What the enrichment sources know about a customer, as typed facts: Stripe billing, HubSpot CRM, Zendesk history.

The connectors build these; the briefing, the account signals and the recommended action read their
fields and never a vendor's dict. Facts that arrive as JSON (a stored briefing, a test, a file given to
`simulate`) are read once, here, by `parse_facts`, which is the only place that is lenient about shape:
a missing or ill-typed field becomes "not known", never an error. `to_json` gives back the shape
`briefing.account.<source>.facts` has always had.

Money is in major units ($49.00 is 49.0). A JSON amount that is an integer is read as Stripe's minor
units (cents), as a raw Stripe object carries it; a float is already major.
"""
from handoff.core.account_facts.json_form import number, parse_facts, parse_hubspot, parse_stripe, parse_zendesk
from handoff.core.account_facts.models import (
    FACT_TYPES,
    ZERO_DECIMAL,
    Card,
    Company,
    CrmOwner,
    Deal,
    Dispute,
    FailedCharge,
    FailedInvoice,
    FailedPayments,
    Facts,
    HubSpotFacts,
    Money,
    NoSuchCustomer,
    OtherFacts,
    PriorTicket,
    Refund,
    StripeFacts,
    StripePlan,
    ZendeskHistory,
)

__all__ = ["FACT_TYPES", "ZERO_DECIMAL", "Card", "Company", "CrmOwner", "Deal", "Dispute", "FailedCharge",
           "FailedInvoice", "FailedPayments", "Facts", "HubSpotFacts", "Money", "NoSuchCustomer", "OtherFacts",
           "PriorTicket", "Refund", "StripeFacts", "StripePlan", "ZendeskHistory", "number", "parse_facts",
           "parse_hubspot", "parse_stripe", "parse_zendesk"]
