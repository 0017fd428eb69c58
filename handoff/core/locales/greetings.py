"""Greetings an agent can send first, per language: the issue in a few words and the greeting around it."""
from __future__ import annotations

ISSUE_KEYS = {
    "cancellation": "cancellation",
    "billing_dispute": "charge",
    "chargeback": "charge",
    "unauthorized_charge": "charge",
    "refund": "refund",
    "billing": "billing",
    "security": "security",
    "account_security": "security",
    "fraud": "fraud",
    "technical": "technical",
    "data_privacy": "privacy",
    "privacy": "privacy",
    "legal": "legal",
    "enterprise_contract": "contract",
}


ISSUES: dict[str, dict[str, str]] = {
    "en": {
        "fraud": "the suspicious activity on your account",
        "technical": "the technical problem you're seeing",
        "cancellation": "cancelling your subscription",
        "charge": "the charge on your account",
        "refund": "your refund",
        "billing": "your billing question",
        "payments": "the recent failed payments",
        "security": "your account's security",
        "privacy": "your data request",
        "legal": "the matter you raised",
        "contract": "your contract",
        "default": "your question",
    },
    "es": {
        "fraud": "la actividad sospechosa en tu cuenta",
        "technical": "el problema técnico que tienes",
        "cancellation": "la cancelación de tu suscripción",
        "charge": "el cargo en tu cuenta",
        "refund": "tu reembolso",
        "billing": "tu consulta de facturación",
        "payments": "los pagos fallidos recientes",
        "security": "la seguridad de tu cuenta",
        "privacy": "tu solicitud sobre tus datos",
        "legal": "el asunto que planteas",
        "contract": "tu contrato",
        "default": "tu consulta",
    },
    "fr": {
        "fraud": "l'activité suspecte sur votre compte",
        "technical": "le problème technique que vous rencontrez",
        "cancellation": "la résiliation de votre abonnement",
        "charge": "le prélèvement sur votre compte",
        "refund": "votre remboursement",
        "billing": "votre question de facturation",
        "payments": "les paiements récemment refusés",
        "security": "la sécurité de votre compte",
        "privacy": "votre demande concernant vos données",
        "legal": "la question que vous soulevez",
        "contract": "votre contrat",
        "default": "votre demande",
    },
    "de": {
        "fraud": "die verdächtigen Aktivitäten auf Ihrem Konto",
        "technical": "das technische Problem",
        "cancellation": "die Kündigung Ihres Abos",
        "charge": "die Abbuchung auf Ihrem Konto",
        "refund": "Ihre Rückerstattung",
        "billing": "Ihre Frage zur Abrechnung",
        "payments": "die kürzlich fehlgeschlagenen Zahlungen",
        "security": "die Sicherheit Ihres Kontos",
        "privacy": "Ihre Datenanfrage",
        "legal": "Ihr Anliegen",
        "contract": "Ihren Vertrag",
        "default": "Ihr Anliegen",
    },
    "pt": {
        "fraud": "a atividade suspeita na sua conta",
        "technical": "o problema técnico que está a ter",
        "cancellation": "o cancelamento da sua assinatura",
        "charge": "a cobrança na sua conta",
        "refund": "o seu reembolso",
        "billing": "a sua dúvida sobre faturação",
        "payments": "os pagamentos recusados recentemente",
        "security": "a segurança da sua conta",
        "privacy": "o seu pedido sobre os seus dados",
        "legal": "o assunto que mencionou",
        "contract": "o seu contrato",
        "default": "a sua questão",
    },
}


# The agent has read the conversation, names the issue and promises only to look into it.
GREETINGS: dict[str, str] = {
    "en": "Hi {name}, thanks for your patience. I've read your conversation with our assistant about {issue}, "
    "so you won't need to repeat anything. I'm looking into it now.",
    "es": "Hola {name}, gracias por tu paciencia. He leído tu conversación con nuestro asistente sobre {issue}, "
    "así que no hace falta que repitas nada. Ya lo estoy revisando.",
    "fr": "Bonjour {name}, merci de votre patience. J'ai lu votre échange avec notre assistant au sujet de {issue}, "
    "vous n'aurez donc rien à répéter. Je m'en occupe dès maintenant.",
    "de": "Hallo {name}, danke für Ihre Geduld. Ich habe Ihr Gespräch mit unserem Assistenten über {issue} gelesen, "
    "Sie müssen also nichts wiederholen. Ich kümmere mich jetzt darum.",
    "pt": "Olá {name}, obrigado pela paciência. Li a sua conversa com o nosso assistente sobre {issue}, "
    "por isso não precisa de repetir nada. Já estou a analisar.",
}


NO_NAME = {"en": "there", "es": "", "fr": "", "de": "", "pt": ""}
