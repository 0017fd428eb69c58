"""The recommended next step for the agent, by category and account, overridable in settings."""
from __future__ import annotations

from collections.abc import Mapping
from handoff.core.models import AccountContext, Decision
from handoff.core.brief.facts import (
    account_owner,
    churn_risk_of,
    failed_payments,
    money,
    open_disputes,
    stripe_of,
    tier_of,
    zendesk_of,
)


def recommended_action(
    *,
    category: str | None,
    decision: Decision,
    account: AccountContext,
    last_question: str | None,
    overrides: Mapping[str, str] | None = None,
) -> str:
    """The next step for the agent, from the category and the account facts (first rule wins)."""
    cat = (category or "").lower()
    triggers = {r.trigger for r in decision.reasons}
    money_cats = {"billing_dispute", "chargeback", "unauthorized_charge", "refund", "billing", "fraud"}
    stripe = stripe_of(account)
    disputes = open_disputes(stripe)
    failed = failed_payments(stripe)
    owner = account_owner(account)
    tier = (tier_of(account) or "").lower()
    main: str
    if overrides and cat in overrides:
        main = overrides[cat]
    elif cat in money_cats and disputes:
        d = disputes[0]
        bits = [d.id or "the open dispute"]
        if d.amount is not None:
            bits.append(money(d.amount, d.currency))
        if d.reason:
            bits.append(d.reason)
        main = (
            f"Review dispute {bits[0]}"
            + (f" ({', '.join(bits[1:])})" if len(bits) > 1 else "")
            + " in Stripe before replying; don't promise a refund until it is checked."
        )
    elif cat in money_cats - {"fraud"} and failed:
        main = (
            f"Check the {failed} failed payment{'s' if failed > 1 else ''} and the card on file in Stripe "
            "before replying; confirm which charge the customer means."
        )
    elif cat == "fraud":
        main = (
            "Treat as possible fraud: verify identity, review recent charges and logins, "
            "and follow the fraud procedure (block the card or account if needed)."
        )
    elif cat in {"billing_dispute", "chargeback", "unauthorized_charge"}:
        main = (
            "Find the charge in Stripe (invoices, refunds, duplicates) before replying; "
            "if the customer doesn't recognise it, treat it as possible fraud."
        )
    elif cat in {"refund", "billing"}:
        main = "Look up the invoices and refunds in Stripe, then answer with the specific charge and amount."
    elif cat == "cancellation" and (churn_risk_of(account) or tier in {"enterprise", "vip"}):
        who = f" and loop in the account owner ({owner})" if owner else ""
        main = (
            f"Retention case: ask what isn't working{who}; offer one retention option "
            "(pause, downgrade or discount per policy) before processing the cancellation."
        )
    elif cat == "cancellation" and (failed or (stripe is not None and stripe.delinquent)):
        main = (
            "Failed payments may be behind this: offer to update the payment method once, "
            "then process the cancellation if they still want it."
        )
    elif cat == "cancellation":
        main = "Confirm what they want to cancel and from when; offer an alternative once, then process the request."
    elif cat == "legal":
        main = "Don't discuss the substance; acknowledge receipt and forward to legal per policy."
    elif cat in {"security", "account_security"}:
        main = "Verify identity first; then secure the account (reset password, end sessions) and review recent logins."
    elif cat in {"data_privacy", "privacy"}:
        main = (
            "Verify identity and log the privacy request (access/deletion); "
            "follow the data-request procedure and deadline."
        )
    elif cat == "sensitive":
        main = (
            "Respond with care and follow the sensitive-topics guideline; "
            "involve a lead if anyone's safety is at risk."
        )
    elif cat == "enterprise_contract":
        who = f"the account owner ({owner})" if owner else "the account owner"
        main = f"Loop in {who} for contract terms; confirm what the customer needs and by when."
    elif cat == "explicit_request" or "explicit_request" in triggers:
        main = (
            "Acknowledge and take over: the customer asked for a person. "
            "Read the AI's last answer so you don't repeat it."
        )
    elif cat in {"low_confidence", "ai_low_confidence", "loop"} or triggers & {
        "low_confidence", "loop", "loop_customer", "loop_ai", "hedging"
    }:
        q = f': "{last_question}"' if last_question else ""
        main = f"The AI couldn't answer reliably; answer the open question directly{q}"
    elif cat in {"frustration", "negative_sentiment"} or triggers & {"frustration", "negative_sentiment", "sentiment_drop"}:
        main = (
            "Acknowledge the frustration briefly, take ownership and resolve the open question "
            "without re-asking for details."
        )
    elif cat == "technical":
        main = "Reproduce the problem from the transcript (page, steps, errors) before asking for more details."
    else:
        main = "Take over the conversation and resolve the customer's question; the transcript below has the details."
    if owner and tier in {"enterprise", "vip"} and "owner" not in main:
        main += f" Keep the account owner ({owner}) informed."
    zendesk = zendesk_of(account)
    tickets = zendesk.open_tickets if zendesk else ()
    if tickets:
        more = f" (and {len(tickets) - 1} more)" if len(tickets) > 1 else ""
        main += f" Link or merge with open ticket #{tickets[0].id}{more}."
    return main
