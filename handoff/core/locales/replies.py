"""Suggested next replies for the agent, per language: one per kind of case, one per account fact, and the
lead-ins that quote an earlier case's resolution or acknowledge what the AI already tried.

Keys of NEXT_STEPS are the greeting's issue keys (handoff.core.locales.greetings.ISSUE_KEYS).
"""
from __future__ import annotations

NEXT_STEPS: dict[str, dict[str, str]] = {
    "en": {
        "charge": "Could you confirm the date and amount of the charge you mean? I'll look it up right away.",
        "refund": "I'm checking your invoices and refunds now; I'll confirm the exact amount and when you'll see it.",
        "billing": "I'm looking at your billing history now. Which invoice or charge is your question about?",
        "cancellation": "Before I process it, may I ask what isn't working for you? If it's something we can fix, "
        "I'd like to try.",
        "technical": "I'm reproducing the problem from what you've described; I'll come back with the fix or the "
        "next step.",
        "security": "For your safety I first need to verify your identity; then I'll secure your account.",
        "fraud": "For your safety I first need to verify your identity; then I'll review the recent activity "
        "with you.",
        "privacy": "I've noted your data request. I'll confirm the next steps and when it will be completed.",
        "legal": "Thank you, I've received your message and passed it to the right team, who will reply to you.",
        "contract": "I'm bringing in your account manager so we can answer on your contract terms.",
        "default": "Could you tell me in one line what would solve this for you today? I'll take it from there.",
    },
    "es": {
        "charge": "¿Puedes confirmarme la fecha y el importe del cargo? Lo busco ahora mismo.",
        "refund": "Estoy revisando tus facturas y reembolsos; te confirmo el importe exacto y cuándo lo verás.",
        "billing": "Estoy revisando tu historial de facturación. ¿Sobre qué factura o cargo es tu consulta?",
        "cancellation": "Antes de tramitarlo, ¿puedo preguntarte qué no te funciona? Si podemos arreglarlo, "
        "me gustaría intentarlo.",
        "technical": "Estoy reproduciendo el problema con lo que me has contado; vuelvo con la solución o el "
        "siguiente paso.",
        "security": "Por tu seguridad, primero necesito verificar tu identidad; después protegeré tu cuenta.",
        "fraud": "Por tu seguridad, primero necesito verificar tu identidad; después revisaremos juntos la "
        "actividad reciente.",
        "privacy": "He registrado tu solicitud sobre tus datos. Te confirmo los siguientes pasos y el plazo.",
        "legal": "Gracias, he recibido tu mensaje y lo he pasado al equipo adecuado, que te responderá.",
        "contract": "Voy a incluir a tu gestor de cuenta para responderte sobre las condiciones de tu contrato.",
        "default": "¿Puedes decirme en una frase qué te lo resolvería hoy? Yo me encargo a partir de ahí.",
    },
    "fr": {
        "charge": "Pouvez-vous me confirmer la date et le montant du prélèvement ? Je le recherche tout de suite.",
        "refund": "Je vérifie vos factures et remboursements ; je vous confirme le montant exact et quand vous le "
        "verrez.",
        "billing": "Je consulte votre historique de facturation. Sur quelle facture ou quel prélèvement porte "
        "votre question ?",
        "cancellation": "Avant de la traiter, puis-je vous demander ce qui ne vous convient pas ? Si nous pouvons "
        "y remédier, j'aimerais essayer.",
        "technical": "Je reproduis le problème à partir de votre description ; je reviens vers vous avec la "
        "solution ou la prochaine étape.",
        "security": "Pour votre sécurité, je dois d'abord vérifier votre identité ; ensuite je sécuriserai votre "
        "compte.",
        "fraud": "Pour votre sécurité, je dois d'abord vérifier votre identité ; ensuite nous examinerons "
        "ensemble l'activité récente.",
        "privacy": "J'ai bien noté votre demande concernant vos données. Je vous confirme les prochaines étapes "
        "et le délai.",
        "legal": "Merci, j'ai bien reçu votre message et je l'ai transmis à l'équipe concernée, qui vous répondra.",
        "contract": "J'associe votre responsable de compte pour vous répondre sur les conditions de votre contrat.",
        "default": "Pouvez-vous me dire en une phrase ce qui réglerait cela aujourd'hui ? Je m'occupe du reste.",
    },
    "de": {
        "charge": "Können Sie mir Datum und Betrag der Abbuchung nennen? Ich sehe sofort nach.",
        "refund": "Ich prüfe gerade Ihre Rechnungen und Erstattungen und bestätige Ihnen den genauen Betrag und "
        "wann er bei Ihnen ankommt.",
        "billing": "Ich sehe mir gerade Ihre Abrechnungen an. Um welche Rechnung oder Abbuchung geht es?",
        "cancellation": "Bevor ich die Kündigung bearbeite: Darf ich fragen, was für Sie nicht funktioniert? "
        "Wenn wir es beheben können, würde ich das gern versuchen.",
        "technical": "Ich stelle das Problem anhand Ihrer Beschreibung nach und melde mich mit der Lösung oder "
        "dem nächsten Schritt.",
        "security": "Zu Ihrer Sicherheit muss ich zuerst Ihre Identität prüfen; danach sichere ich Ihr Konto.",
        "fraud": "Zu Ihrer Sicherheit muss ich zuerst Ihre Identität prüfen; danach gehen wir die letzten "
        "Aktivitäten gemeinsam durch.",
        "privacy": "Ich habe Ihre Datenanfrage aufgenommen und bestätige Ihnen die nächsten Schritte und die Frist.",
        "legal": "Danke, ich habe Ihre Nachricht erhalten und an das zuständige Team weitergegeben, das sich bei "
        "Ihnen meldet.",
        "contract": "Ich beziehe Ihren Account-Manager ein, damit wir Ihre Fragen zum Vertrag beantworten können.",
        "default": "Können Sie mir in einem Satz sagen, was Ihnen heute weiterhelfen würde? Ich kümmere mich "
        "dann darum.",
    },
    "pt": {
        "charge": "Pode confirmar-me a data e o valor da cobrança? Vou procurá-la já.",
        "refund": "Estou a verificar as suas faturas e reembolsos; confirmo-lhe o valor exato e quando o vai ver.",
        "billing": "Estou a ver o seu histórico de faturação. A que fatura ou cobrança se refere a sua dúvida?",
        "cancellation": "Antes de tratar do pedido, posso perguntar o que não está a funcionar para si? Se for "
        "algo que possamos resolver, gostaria de tentar.",
        "technical": "Estou a reproduzir o problema a partir do que descreveu; volto com a solução ou o próximo "
        "passo.",
        "security": "Para sua segurança, preciso primeiro de verificar a sua identidade; depois protejo a sua "
        "conta.",
        "fraud": "Para sua segurança, preciso primeiro de verificar a sua identidade; depois revemos juntos a "
        "atividade recente.",
        "privacy": "Registei o seu pedido sobre os seus dados. Confirmo-lhe os próximos passos e o prazo.",
        "legal": "Obrigado, recebi a sua mensagem e passei-a à equipa certa, que lhe vai responder.",
        "contract": "Vou incluir o seu gestor de conta para responder sobre as condições do seu contrato.",
        "default": "Pode dizer-me numa frase o que resolveria isto hoje? Eu trato do resto.",
    },
}


# One per account fact: {amount} is the dispute's amount ("$49.00"), {n} the count of failed payments.
DISPUTE: dict[str, str] = {
    "en": "I can see the open dispute{amount} on your account. I'm reviewing it now and will tell you exactly "
    "what happens next.",
    "es": "Veo la disputa abierta{amount} en tu cuenta. La estoy revisando y te diré exactamente qué pasará "
    "ahora.",
    "fr": "Je vois le litige en cours{amount} sur votre compte. Je l'examine et vous dirai précisément la suite.",
    "de": "Ich sehe die offene Reklamation{amount} auf Ihrem Konto. Ich prüfe sie gerade und sage Ihnen genau, "
    "wie es weitergeht.",
    "pt": "Vejo a disputa em aberto{amount} na sua conta. Estou a analisá-la e digo-lhe exatamente o que "
    "acontece a seguir.",
}
AMOUNT: dict[str, str] = {"en": " of {x}", "es": " de {x}", "fr": " de {x}", "de": " über {x}", "pt": " de {x}"}

FAILED_ONE: dict[str, str] = {
    "en": "I can see a recent payment didn't go through. Would you like me to help you update the card on file?",
    "es": "Veo que un pago reciente no se completó. ¿Quieres que te ayude a actualizar la tarjeta?",
    "fr": "Je vois qu'un paiement récent n'est pas passé. Voulez-vous que je vous aide à mettre à jour votre carte ?",
    "de": "Ich sehe, dass eine Zahlung kürzlich nicht durchging. Soll ich Ihnen helfen, die Karte zu aktualisieren?",
    "pt": "Vejo que um pagamento recente não foi concluído. Quer que o ajude a atualizar o cartão?",
}
FAILED_MANY: dict[str, str] = {
    "en": "I can see {n} recent payments didn't go through. Would you like me to help you update the card on file?",
    "es": "Veo que {n} pagos recientes no se completaron. ¿Quieres que te ayude a actualizar la tarjeta?",
    "fr": "Je vois que {n} paiements récents ne sont pas passés. Voulez-vous que je vous aide à mettre à jour "
    "votre carte ?",
    "de": "Ich sehe, dass {n} Zahlungen kürzlich nicht durchgingen. Soll ich Ihnen helfen, die Karte zu "
    "aktualisieren?",
    "pt": "Vejo que {n} pagamentos recentes não foram concluídos. Quer que o ajude a atualizar o cartão?",
}

# The best earlier case's resolution, quoted: {quote} is its agent's reply, clipped and masked.
SIMILAR: dict[str, str] = {
    "en": "We've solved this before; here is what worked: “{quote}”",
    "es": "Ya lo hemos resuelto antes; esto es lo que funcionó: “{quote}”",
    "fr": "Nous avons déjà résolu ce cas ; voici ce qui a fonctionné : « {quote} »",
    "de": "Das hatten wir schon einmal; das hat geholfen: „{quote}“",
    "pt": "Já resolvemos isto antes; foi isto que funcionou: “{quote}”",
}

# The AI already pointed to an article ({title}) or answered: don't repeat it.
AI_TRIED_KB: dict[str, str] = {
    "en": "I see our assistant already sent you “{title}” and it didn't solve it, so I won't repeat it. "
    "What happened when you tried it?",
    "es": "Veo que nuestro asistente ya te envió “{title}” y no lo resolvió, así que no lo repetiré. "
    "¿Qué pasó cuando lo probaste?",
    "fr": "Je vois que notre assistant vous a déjà envoyé « {title} » sans résoudre le problème, je ne vais donc "
    "pas le répéter. Que s'est-il passé quand vous l'avez essayé ?",
    "de": "Ich sehe, dass unser Assistent Ihnen schon „{title}“ geschickt hat und es nicht geholfen hat; das "
    "wiederhole ich nicht. Was ist passiert, als Sie es versucht haben?",
    "pt": "Vejo que o nosso assistente já lhe enviou “{title}” e não resolveu, por isso não vou repetir. "
    "O que aconteceu quando tentou?",
}
AI_TRIED: dict[str, str] = {
    "en": "I see the assistant's suggestions didn't solve it, so I won't repeat them. What happened when you "
    "tried them?",
    "es": "Veo que las sugerencias del asistente no lo resolvieron, así que no las repetiré. ¿Qué pasó cuando "
    "las probaste?",
    "fr": "Je vois que les suggestions de l'assistant n'ont pas résolu le problème, je ne vais donc pas les "
    "répéter. Que s'est-il passé quand vous les avez essayées ?",
    "de": "Ich sehe, dass die Vorschläge des Assistenten nicht geholfen haben; die wiederhole ich nicht. Was ist "
    "passiert, als Sie sie versucht haben?",
    "pt": "Vejo que as sugestões do assistente não resolveram, por isso não as vou repetir. O que aconteceu "
    "quando as tentou?",
}
