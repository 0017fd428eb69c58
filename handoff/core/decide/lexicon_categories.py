"""Shipped phrase patterns of the always-human categories (cancellation, billing disputes, fraud, account
security, legal, data privacy, sensitive topics, enterprise contracts), per language (en, es, fr, de, pt).

Matched, like everything in `lexicon`, against normalised text; `lexicon.ALWAYS_HUMAN` re-exports them. Apart
from the request, pushback and hedging phrases only because the table is long.
"""
from __future__ import annotations

# Up to two arbitrary words between two parts of a phrase ("i did not really make").
W2 = r"(?:\w+ ){0,2}"

_ACCOUNT = (
    r"(?:account|accounts|acount|acct|subscription|subscriptions|subscribtion|plan|membership|profile|"
    r"service|services|contract|workspace|organisation|organization|org|license|licence|"
    r"user account|online account|user profile|online profile|bank account|customer account)"
)
_ACCOUNT_NOT = r"(?! (?:picture|photo|image|pic|avatar|field|fields|page|section|settings|name|email|address|details|information|info|number|id|password|pin|payment|method|card|tab|view|template|question|data export))"
_FILLER_OK = r"(?:(?!(?:member|members|guest|test|demo|sandbox|child|sub|team|staff|employee|bot|api|users?|customer|customers|client|clients|other|old|second|extra|additional|trial)\b)\w+ )?"

_TX = (
    r"(?:charge|charges|charged|payment|payments|transaction|transactions|debit|debits|direct debit|"
    r"withdrawal|withdrawals|withdrawl|withdraw|purchase|purchases|cash|money|funds|deposit|deposits|"
    r"fee|fees|bill|billing|invoice|subscription|renewal|amount|deduct\w*|"
    r"payout|transaktion)"
)
_NEG_DID = r"(?:do not|did not|never|have not|had not)"
_NEG_VERB = (
    r"(?:recogni[sz]e|recogni[sz]ed|remember|recall|make|made|do|done|authori[sz]e|"
    r"authori[sz]ed|perform|performed|initiate|initiated|set up|setup|create|created|submit|"
    r"submitted|approve|approved|buy|bought|order|ordered|withdraw|withdrew|take out|took out|"
    r"put|deposit|deposited|spend|spent|sign up|signed up|subscribe|subscribed|agree|agreed|"
    r"consent|consented|ask for|asked for|request|requested|expect|expected|purchase|purchased|"
    r"use|used|complete|completed|permit|allow|allowed)"
)
_DUP = (
    r"(?:twice(?! a (?:month|year|week|day|quarter))|two times(?! a )|2 times|2x|double|doubled|double charged|duplicate|duplicated|duplicates|"
    r"more than once|multiple times|many times|several times|too many times|three times|over and over|"
    r"(?:two|2|multiple|several) of the same|(?:two|2|three|3) (?:separate )?times?)"
)
# Duplication phrases that already name the money movement; enough on their own.
_DUP_SELF = (
    r"(?:same (?:transaction|payment|charge|purchase) (?:\w+ ){0,3}(?:again|twice|more|multiple)|"
    r"more than one (?:charge|payment|transaction|debit|withdrawal)|"
    r"repeated (?:transaction|charge|payment|debit)s?|(?:too|to) many (?:charges|payments|transactions|debits)|"
    r"(?:transaction|payment|charge|debit)s? (?:\w+ ){0,2}times|"
    r"(?:multiple|several|two|2|three|repeated) (?:identical |duplicate )?(?:transactions|charges|payments|debits|withdrawals) "
    r"(?:\w+ ){0,3}(?:for (?:one|a single|the same|1)|showing|appear\w*|on my|in my))"
)
_ODD = (
    r"(?:unknown|unrecogni[sz]ed|unfamiliar|strange|weird|odd|suspicious|mysterious|unusual|unexpected|"
    r"random|bogus|fraudulent|fake|unauthori[sz]ed|unidentified|crap|shady|dodgy|incorrect|"
    r"wrong|erroneous|mistaken|bs|bullshit|false|phony|phoney|illegitimate|dubious|questionable|fishy)"
)

ALWAYS_HUMAN: dict[str, dict[str, list[str]]] = {
    "cancellation": {
        "en": [
            rf"\b(?:cancel|cancell?ing|cancell?ed|cancle|close|close down|close out|closing|delete|deleting|terminate|terminating|"
            rf"deactivate|deactivating|remove|removing|end|ending|stop|get rid of|shut down|shutdown|"
            rf"erase|wipe|discontinue|quit|unsubscribe from|downgrade) (?:my |the |our |this |of my |of the )?"
            rf"{_FILLER_OK}{_ACCOUNT}\b{_ACCOUNT_NOT}",
            rf"\b(?:do not|no longer|dont) (?:want|need|wish to keep|wish to have|use) (?:my |this |the |your |our )?(?:\w+ )?{_ACCOUNT}\b",
            r"\bno longer (?:want|wish|need) to (?:be a customer|be your customer|use|pay|have|keep)\b",
            r"\b(?:want|going|decided|plan|planning) to (?:leave (?:you|your (?:service|company|platform|app)|this (?:service|platform|company|app))|quit (?:you|your|this)|switch to a competitor|stop using (?:you|your|this)|stop paying)\b",
            r"\b(?:cancel|end|stop) (?:my |the )?(?:auto ?renew\w*|renewal|recurring (?:billing|payment|charge)|trial)\b",
            r"\bunsubscribe me\b",
            r"\b(?:want|need|would like|wish|how do i|how can i|help me|like|trying) to unsubscribe\b(?! (?:from )?(?:the |your |these |all |my )?(?:newsletter|emails?|notifications?|marketing|mailing|list|sms|texts?))",
            rf"\b(?:want|need|would like|like) (?:my |the |this |our )?{_FILLER_OK}{_ACCOUNT} (?:to be )?(?:closed|deleted|cancell?ed|terminated|removed|deactivated|gone)\b",
            r"\b(?:account|subscription|membership) (?:deletion|cancellation|closure|termination)\b",
            r"\b(?:want|need|would like|wish|going|trying|how do i|how can i|help me) to cancel(?: (?:now|asap|today|immediately|right now|please|everything|all of it))*$",
            r"\bcancel (?:everything|all of it)\b",
            r"\bget out of (?:the |my |our |this |a )?(?:\w+ ){0,2}(?:lease|contract|plan|subscription|membership|agreement|term|remaining \w+)\b",
            # no "^": one anchored branch makes the whole alternation try every position the slow way (+10 us a message)
            r"\bcancel(?: (?:please|pls|plz|now|asap|today|immediately|thanks|thx))+$",
        ],
        "es": [
            r"\b(?:cancelar|cancelen|cancela|cerrar|cierren|eliminar|eliminen|borrar|borren|dar de baja|darme de baja|baja de) (?:\w+ ){0,2}(?:cuenta|suscripcion|plan|membresia|servicio|perfil|contrato)\b",
            r"\bdarme de baja\b",
            r"\b(?:doy|damos|den|denme) de baja (?:esto|eso|todo|mi|mis|nuestra|nuestro)\b",
            r"\b(?:dejar de pagar|dejo de pagar|deje de pagar|no pagar mas|no seguir pagando|dejen de cobrarme|dejad de cobrarme)\b"
            r"(?! (?:en|con|por|a|al|mediante|el|la|los|las) )",
            r"\b(?:anular|anulen|anula|anulame|anulenme) (?:\w+ ){0,2}(?:poliza|suscripcion|contrato|seguro|abono|membresia|plan)\b",
            r"\b(?:ya )?no quiero (?:\w+ ){0,2}(?:cuenta|suscripcion|servicio|plan)\b",
        ],
        "fr": [
            r"\b(?:annuler|resilier|supprimer|fermer|cloturer|desactiver|arreter|mettre fin a) (?:\w+ ){0,2}(?:compte|abonnement|souscription|contrat|forfait|profil|service|adhesion)\b",
            r"\b(?:me desabonner|me desinscrire|resiliation)\b",
            r"\b(?:resiliez|resilie|resilions|resilier|resilies) (?:\w+ ){0,2}(?:compte|abonnement|souscription|contrat|forfait|adhesion|assurance|tout)\b",
            r"\bne plus (?:etre|jamais etre) (?:client|abonne)\w*\b",
            r"\b(?:arreter de payer|j arrete de payer|ne plus payer|plus rien payer|arretez de me prelever|arretez les prelevements)\b",
        ],
        "de": [
            r"\b(?:konto|kundenkonto|account|abo|abonnement|vertrag|mitgliedschaft|profil|zugang|tarif) (?:\w+ ){0,3}(?:kundigen|loschen|schliessen|beenden|stornieren|deaktivieren|aufheben|auflosen|entfernen)\b",
            r"\b(?:kundigen|kundigung|kundige|abmelden|loschen sie mein)\b",
            r"\b(?:aus dem|aus meinem|aus unserem) (?:\w+ )?(?:vertrag|abo|leasing\w*|mietvertrag|abonnement) (?:\w+ ){0,2}raus\b",
            r"\b(?:ganz|komplett|endgultig) (?:\w+ ){0,2}beenden\b",
        ],
        "pt": [
            r"\b(?:cancelar|cancele|cancela|encerrar|encerre|excluir|exclua|apagar|apague|deletar|delete|fechar|feche|desativar|remover) (?:\w+ ){0,2}(?:conta|assinatura|plano|perfil|servico|contrato|inscricao)\b",
            r"\bnao quero mais (?:\w+ ){0,2}(?:conta|assinatura|servico|plano)\b",
            r"\bcancelamento\b",
        ],
    },
    "billing_dispute": {
        "en": [
            rf"\b{_TX}\b.{{0,160}}\b{_NEG_DID} {W2}{_NEG_VERB}\b",
            rf"\b{_NEG_DID} {W2}{_NEG_VERB}\b.{{0,160}}\b{_TX}\b",
            rf"\b{_TX}\b.{{0,160}}\b(?:not familiar with|never seen|never heard of|no idea (?:what|where|about)|not (?:correct|right)|is (?:incorrect|wrong)|(?:that|this|it) is (?:an error|a mistake))\b",
            rf"\b(?:not familiar with|never seen|never heard of|no idea (?:what|where|about)) (?:\w+ ){{0,3}}{_TX}\b",
            rf"\b{_TX}\b.{{0,160}}\b(?:not (?:\w+ ){{0,2}}by me|not mine|is not mind|isnt mind|not my own|not by me|not me|(?:does|do) not belong to me|not belong to me)\b",
            rf"\b{_TX}\b (?:\w+ ){{0,5}}(?:is|looks|seems|that is|that looks|which is|which looks) (?:very |really |a bit |kind of |quite )?{_ODD}\b",
            rf"\b{_TX}\b.{{0,160}}\b(?:dispute|disputing|contest|chargeback|challenge)\b",
            r"\b(?:did not|never) (?:buy|order|purchase|authori[sz]e|approve) (?:this|that|these|those|it)\b(?! (?:change|mistake|error|account|profile|decision|order|request))",
            rf"\b{_TX}\b.{{0,160}}\b(?:was|is|were|are) not (?:authori[sz]ed|approved|made by me|done by me|recogni[sz]ed|mine)\b",
            r"\b(?:cash|funds|money|deposit|deposits) (?:\w+ ){0,4}(?:i|that i) (?:did not|never|have not) (?:receive|received|accept|accepted|get|got|make|deposit|expect|ask for)\b",
            r"\b(?:app|statement|account|it|bank) (?:says|shows|said|showed|claims) (?:that )?i (?:did|made|withdrew|spent|took)\b",
            r"\b(?:withdrawing|taking|spending|stealing|draining) (?:\w+ ){0,2}(?:from|out of) my (?:account|card|bank)\b",
            r"\bwhy (?:is|are) (?:this|that|these|those) (?:\w+ ){0,2}(?:charge|charges|payment|payments|transaction|transactions|debit|debits|withdrawal|withdrawals) (?:on|in)\b",
            rf"\b{_TX}\b.{{0,160}}\b{_DUP}\b",
            rf"\b{_DUP}\b.{{0,160}}\b{_TX}\b",
            rf"\b{_DUP_SELF}\b",
            r"\bextra (?:charge|charges|payment|payments|debit|debits|transaction|transactions) (?:\w+ ){0,3}(?:on|in) my\b",
            rf"\b{_TX}\b.{{0,160}}\b(?:came|come|comes|coming) from\b",
            rf"\b{_TX}\b.{{0,160}}\bi (?:do not|did not) know (?:about|of)(?: (?:it|this|that|them))?$",
            rf"\b{_TX}\b.{{0,160}}\b(?:never been|never visited|never shopped|never heard of|never bought|never used)\b",
            rf"\b(?:my|the) {_FILLER_OK}{_ACCOUNT} (?:\w+ ){{0,3}}(?:deleted|cancell?ed|closed|terminated|removed)\b",
            rf"\b{_ODD} {W2}{_TX}\b",
            rf"\b{_TX} (?:\w+ ){{0,4}}(?:not mine|is not mine|isnt mine|not my own|not by me|i do not recogni[sz]e|without my (?:permission|consent|authori[sz]ation|knowledge))\b",
            r"\b(?:charged|billed|debited|charging|billing) (?:me )?(?:\w+ ){0,3}(?:twice|two times|double|again|after (?:i )?cancel\w*|even though|without|wrong|too much|more than)\b",
            r"\b(?:overcharged|over charged|double charged|double billed|charged double|billed double|overbilled|over billed)\b",
            r"\b(?:dispute|disputing|disputed|contest|contesting|chargeback|charge back|reverse|reversal of) (?:\w+ ){0,3}(?:charge|charges|payment|payments|transaction|transactions|debit|debits|purchase|bill|invoice)\b",
            r"\b(?:chargeback|charge back|raise a dispute|file a dispute|open a dispute)\b",
            r"\bwhat (?:is |are |was )?(?:this|that|these|those) (?:\w+ ){0,2}(?:charge|charges|payment|payments|transaction|transactions|debit|debits|withdrawal|withdrawals|deposit|deduction|fee)\b",
            r"\bwhat the (?:\w+ ){0,2}(?:charge|payment|transaction|debit|withdrawal|deposit) (?:is|was) (?:in|on|for)\b",
            r"\bwhy did (?:you|your company|they|your app) (?:take|charge|bill|debit|withdraw|deduct)\b",
            r"\b(?:took|taken|take|taking|withdrew|withdrawn|deducted) (?:\w+ ){0,2}(?:money|dollars|euros|pounds|usd|eur|gbp|\d+) (?:\w+ ){0,2}from my (?:account|card|bank)\b",
            r"\bwhy (?:am i|was i|have i been|did i get|do i keep getting|did you|does my|is my|did my|was my) (?:\w+ ){0,2}(?:being )?(?:charged|billed|debited|deducted|charge me)\b",
            rf"\b(?:cash|money|funds) (?:\w+ ){{0,3}}(?:missing|taken|withdrawn|taken out|stolen)\b(?! (?:from an atm|at an atm))",
            rf"\bmissing (?:cash|money|funds)\b",
            rf"\b(?:charge|charges|payment|payments|transaction|transactions|debit|debits|withdrawal|withdrawals|cash|deposit|purchase|purchases)\b (?:\w+ ){{0,4}}(?:showing|shows|showed|shown|appearing|appears|appeared|listed|posted) (?:up )?(?:\w+ )?(?:in|on) (?:my |the )?(?:app|statement|statements|account|card|history|bank)\b",
            rf"\b(?:how|where) (?:did |does |do )?(?:\w+ ){{0,2}}(?:charge|payment|transaction|debit|withdrawal|deposit)s? (?:\w+ ){{0,2}}(?:got|get|come|came|end up|ended up|appear|appeared) (?:from|on|in|into)?\b",
            rf"\b{_TX}\b.{{0,160}}\bbut i (?:did not|never)\b(?! (?:receive|get|got|see|saw|know))",
            rf"\b{_TX} is (?:bs|bullshit|wrong|incorrect|a scam|not right|fraud|fake|bogus|a mistake|an error)\b",
            r"\bdo not remember (?:buying|ordering|paying|purchasing|making|spending)\b",
            r"\b(?:refund|money back) (?:for|of|on) (?:a|the|this) (?:charge|payment|transaction|debit) (?:i|that i) (?:did not|never)\b",
            r"\b(?:i am not|im not|i will not|i wont|not going to|never going to) (?:be )?(?:paying|pay) (?:for )?(?:that|this|it|these|those|for something)\b",
            r"\b(?:give me|i want|i need) my money back\b|\brefund me\b",
        ],
        "es": [
            r"\b(?:cobro|cobros|cargo|cargos|pago|pagos|transaccion|cobraron|cobrado|me cobraron)\b.{0,160}\b(?:dos veces|doble|duplicad\w+|no reconozco|no hice|no autorice|desconocid\w+|no realice|indebid\w+|no es mio|fraudulent\w+)\b",
            r"\b(?:no reconozco|desconozco) (?:\w+ ){0,3}(?:cobro|cargo|pago|transaccion|compra|movimiento)\b",
            r"\b(?:disputa|contracargo|reclamar un cobro|cobro indebido)\b",
            r"\b(?:cobraron|cobrado|cobran|cobrais|cobrasteis|descontaron|descontado|cargaron|cargado|debitaron)\b (?:\w+ ){0,5}"
            r"(?:\d|dos|tres|cuatro) veces\b",
            r"\b(?:nunca|jamas) (?:contrate|contratamos|autorice|me suscribi|me di de alta)\b",
            r"\b(?:no (?:pienso|voy a) pagar|no (?:lo |la |los )?pago) (?:eso|esto|esa|ese|nada|ni)\b",
            r"\b(?:devolvedme|devuelvanme|devuelveme|devolveme|reembolsadme|reembolsenme|quiero (?:que me devolvais|que me devuelvan|mi dinero de vuelta))\b",
            r"\b(?:nunca|jamas) (?:pedi|compre|solicite) (?:eso|esto|ese|esa|esos|esas|nada)\b",
            r"\b(?:ni siquiera|ni) soy (?:su )?cliente\b|\bno soy (?:su |vuestro )?cliente\b(?! (?:todavia|aun))",
        ],
        "fr": [
            r"\b(?:debite|debitee|preleve|prelevee|facture|facturee|paye|payee|prelevement|paiement|transaction|achat|frais)\b.{0,160}\b(?:deux fois|2 fois|en double|double|doublon|deja paye|non autorise\w*|que je ne reconnais pas|je ne reconnais pas|pas fait|inconnu\w*|frauduleu\w+)\b",
            r"\bje ne reconnais pas (?:\w+ ){0,3}(?:paiement|prelevement|transaction|achat|debit|montant|frais)\b",
            r"\b(?:contester|litige|opposition sur) (?:\w+ ){0,3}(?:paiement|prelevement|transaction|achat|debit|facture)\b",
            r"\bremboursement (?:d un|du) (?:double|prelevement non)\b",
            r"\b(?:\d|deux|trois|quatre) fois\b (?:\w+ ){0,6}(?:avec votre nom|preleve|prelevee|preleves|debite|debitee|facture|facturee|paye|payee)\b",
            r"\b(?:preleve|prelevee|preleves|debite|debitee|facture|facturee|paye|payee) (?:\w+ ){0,4}(?:\d|deux|trois|quatre) fois\b",
            r"\bjamais (?:souscrit|autorise|signe)\b",
            r"\bjamais (?:commande|demande|achete) (?:ca|cela|ce|ces|rien)\b",
            r"\bje (?:ne )?suis (?:meme )?pas (?:votre |chez vous |un )?client\w*\b(?! (?:encore|pour l instant))",
            r"\bje conteste\b",
            # (the lookbehind after "je", not before it: at a branch's start it made re try the whole alternation the
            # slow way, +34 us a message)
            r"\bje(?<!\bsi je) (?:ne )?(?:paye|paie|paierai) pas (?:ca|cela|ces|pour|\d)|\bje (?:ne )?vais pas payer (?:ca|cela|ces|pour|\d)|"
            r"\bpas question que je pa(?:ye|ie)\b",
            r"\b(?:rendez moi|remboursez moi|rembourse moi|rendez nous|remboursez nous)\b",
        ],
        "de": [
            r"\b(?:doppelt|zweimal|zwei mal|mehrfach) (?:\w+ ){0,3}(?:abgebucht|belastet|berechnet|bezahlt|abgerechnet|gebucht)\b",
            r"\b(?:abbuchung|abbuchungen|lastschrift|zahlung|belastung|transaktion|buchung)\b.{0,160}\b(?:nicht erkenne|kenne ich nicht|nicht autorisiert|nicht gemacht|unbekannt\w*|nicht von mir|doppelt|zweimal|unberechtigt\w*)\b",
            r"\b(?:ruckbuchung|ruckbelastung|chargeback|widerspruch gegen (?:die|eine) (?:lastschrift|abbuchung|zahlung))\b",
            r"\b(?:drei|vier|\d) ?(?:mal|fach) (?:\w+ ){0,3}(?:abgebucht|belastet|berechnet|abgezogen|eingezogen)\b",
            r"\b(?:nichts|das nie|das niemals|sowas nie|so etwas nie|so was nie) (?:\w+ ){0,2}(?:bestellt|abgeschlossen|abonniert|autorisiert|gebucht)\b",
            r"\b(?:nie|niemals) (?:\w+ )?(?:abgeschlossen|abonniert|autorisiert)\b",
            r"\bich bin (?:gar |doch |nicht mal |nicht einmal )?kein (?:kunde|kundin)\b(?! (?:mehr|bei euch mehr))",
            r"\b(?:zahl ich nicht|zahle ich nicht|werde ich nicht (?:be)?zahlen|ich zahl(?:e)? (?:das|die|den) nicht)\b",
            r"\b(?:erstattet mir|erstatten sie mir|ich will mein geld zuruck|gebt mir (?:mein|das) geld zuruck|geld zuruck (?:bitte|jetzt|sofort))\b",
        ],
        "pt": [
            r"\b(?:cobrado|cobrada|cobraram|cobranca|cobrancas|pagamento|pagamentos|transacao|compra|debito)\b.{0,160}\b(?:duas vezes|em dobro|duplicad\w+|nao reconheco|nao fiz|nao autorizei|desconhecid\w+|indevid\w+|nao e minha|fraudulent\w+)\b",
            r"\bnao reconheco (?:\w+ ){0,3}(?:cobranca|pagamento|transacao|compra|debito)\b",
            r"\b(?:contestar|estorno|chargeback) (?:\w+ ){0,3}(?:cobranca|pagamento|transacao|compra)?\b",
            r"\b(?:cobraram|cobrado|cobrada|descontaram|descontado|debitaram|debitado|passaram)\b (?:\w+ ){0,5}(?:\d|duas|tres|quatro) vezes\b",
            r"\b(?:nunca|jamais) (?:assinei|contratei|autorizei|me cadastrei)\b",
            r"\bnao vou pagar (?:isso|isto|essa|esse|nada)\b",
            r"\b(?:me devolvam|devolvam (?:meu|o meu|o)|quero (?:meu|o meu) dinheiro de volta|quero (?:o )?reembolso (?:de|do|da|dos|das))\b",
            r"\b(?:nunca|jamais) (?:pedi|comprei|solicitei) (?:isso|isto|esse|essa|esses|essas|nada)\b",
            r"\b(?:nem|nao) sou (?:seu |sua |cliente de )?cliente\b(?! (?:ainda|ainda nao))",
        ],
    },
    "fraud": {
        "en": [
            r"\b(?:fraud|fraudulent|fraudulently|scam|scammed|scammer|phishing|identity theft|stolen identity|skimm\w+)\b",
            r"\bidentity (?:\w+ ){0,2}(?:stolen|theft|compromised)\b",
            r"\b(?:someone|somebody|some one|a stranger|a hacker|hackers|a thief|someone else|unknown person|someone besides me|someone other than me) (?:\w+ ){0,3}(?:using|used|use|uses|utili[sz]ing|accessed|access|accessing|hacked|stole|stolen|steal|took|taken|taking|withdrew|withdrawn|withdrawing|spent|spending|charged|made|making|bought|buying|ordered|ordering|gained|has access|have access|got hold|logged|get into|got into|broke into|copied|cloned|skimmed)\b(?! (?:it before|to (?:share|have)|my (?:password|account password|profile password)))",
            r"\b(?:used|using|utili[sz]ing|charged|taken|withdrawn|made|spent)\b.{0,160}\bwithout (?:my|me) (?:permission|consent|authori[sz]ation|knowledge|knowing|approval)\b",
            r"\bunauthori[sz]ed (?:use|usage|access|activity)\b",
            r"\b(?:card|cards|card number|card details|pin) (?:\w+ ){0,2}(?:cloned|skimmed|copied|duplicated)\b",
            r"\b(?:card|account|login|bank|payment|credit card|personal) (?:details|information|info|number|numbers|credentials|data|pin) (?:\w+ ){0,3}(?:stolen|leaked|compromised|hacked|exposed|phished)\b",
            r"\b(?:someone|somebody|a stranger|hackers?|scammers?|criminals?|thieves|a thief) (?:\w+ ){0,2}(?:has|have|got|get|stole|took|knows|know) (?:\w+ ){0,1}(?:my )?(?:card|card details|card info|card information|card number|details|information|pin|credentials|identity)\b",
            r"\bmy (?:card|cards|account|details|card details|card number|identity|credit card|debit card) (?:\w+ ){0,3}(?:being used|been used|was used|is used|used by|used in|used at|used for|used to|used online)\b",
            r"\b(?:my ex|ex boyfriend|ex girlfriend|ex husband|ex wife|x boyfriend|x girlfriend|ex partner)\b.{0,160}\b(?:charge|charges|card|account|money|used|using|purchases?)\b",
            r"\b(?:used|using|charged) (?:my )?(?:card|account|details) without (?:my )?(?:permission|consent|authori[sz]ation|knowledge)\b",
            r"\b(?:wallet|purse|phone|card|cards|details) (?:\w+ ){0,2}(?:stolen|stole)\b.{0,160}\b(?:charge|charges|payment|payments|withdraw\w*|purchase\w*|money|transaction\w*|used)\b",
            r"\bstole my (?:wallet|card|identity|details|information|phone)\b.{0,160}\b(?:charge|payment|withdraw\w*|purchase\w*|money|transaction\w*|used)\b",
        ],
        "es": [r"\b(?:fraude|fraudulent\w+|estafa|estafaron|robo de identidad|suplantacion|me robaron|me vaciaron)\b",
               r"\b(?:envios|transferencias|pagos|compras|retiros) (?:\w+ ){0,4}(?:que no (?:conozco|reconozco|hice)|yo no (?:los|las) hice)\b", r"\balguien (?:\w+ ){0,2}(?:uso|usa|usando|usado|robo|hizo|saco|retiro|accedio) (?:\w+ ){0,2}(?:mi|mis)\b"],
        "fr": [r"\b(?:fraude|frauduleu\w+|arnaque|escroquerie|usurpation|vol d identite|on m a vole)\b", r"\bquelqu un (?:\w+ ){0,2}(?:utilise|a utilise|pirate|a pirate|a vole|accede|a accede) (?:\w+ ){0,2}(?:ma|mon|mes)\b"],
        "de": [r"\b(?:betrug|betrugerisch\w*|identitatsdiebstahl|phishing|missbrauch\w*)\b", r"\bjemand (?:\w+ ){0,3}(?:meine|mein|meinen) (?:karte|konto|kreditkarte|zugang)\b"],
        "pt": [r"\b(?:fraude|fraudulent\w+|golpe|golpista|roubo de identidade|clonad\w+|roubaram|levaram (?:meu|minha|o meu|a minha))\b", r"\balguem (?:\w+ ){0,2}(?:usou|usando|usa|roubou|acessou|invadiu) (?:\w+ ){0,2}(?:meu|minha|meus|minhas)\b"],
    },
    "account_security": {
        "en": [
            r"\b(?:code|codes|otp|2fa|verification code|login code|sms code|sms codes)\b (?:\w+ ){0,8}(?:never requested|never asked for|did not request|did not ask for|i did not ask)\b",
            r"\b(?:never requested|never asked for|did not request|did not ask for) (?:\w+ ){0,4}(?:code|codes|otp|2fa)\b",
            r"\b(?:hacked(?! (?:together|up|around|on|a |some|into shape))|compromised|breached|hijacked|taken over)\b",
            r"\b(?:security breach|data breach|account takeover|malware|keylogger)\b",
            r"\b(?:unauthori[sz]ed|suspicious|unusual|strange|unknown|unrecogni[sz]ed) (?:\w+ ){0,1}(?:access|login|logins|log in|sign in|signin|activity|device|devices|session|sessions|ip)\b",
            r"\b(?:someone|somebody) (?:\w+ ){0,2}(?:logged|log|logging|signed|sign) (?:in|into)\b",
            r"\b(?:someone|somebody) (?:\w+ ){0,2}changed my (?:password|email|phone|2fa|login)\b",
            r"\b(?:freeze|block|lock|suspend) (?:my |the )?(?:card|cards|account|bank account)\b(?! (?:settings|feature))",
            r"\blocked out (?:\w+ ){0,4}(?:again|still|repeatedly|every|times|days|weeks|hours|multiple|third|keep)\b",
            r"\b(?:keep|keeps|kept) (?:getting )?lock(?:ed|ing) (?:me )?out\b",
            r"\b(?:lost|no longer have|do not have) (?:access to )?(?:my )?(?:2fa|two factor|mfa|authenticator|recovery codes?)\b",
            r"\b(?:suspicious|suspect|worried|concerned) (?:of|about) (?:my )?(?:\w+ )?(?:card|account)s? security\b",
            r"\b(?:card|account) (?:\w+ ){0,3}(?:security breach|been breached|been compromised)\b",
        ],
        "es": [r"\b(?:hackearon|hackeada|hackeado|hackeo|pirateada|pirateado|acceso no autorizado|comprometida|comprometido|robaron mi cuenta|bloquear mi tarjeta)\b",
               r"\b(?:2fa|codigo|autenticador|dispositivo|sesion|inicio de sesion) (?:\w+ ){0,2}no es (?:el |la )?mi[oa]\b",
               r"\b(?:codigos? (?:de (?:verificacion|acceso|seguridad|inicio de sesion)|por sms)|sms|2fa)\b (?:\w+ ){0,8}no (?:lo |los )?(?:pedi|he pedido|solicite)\b"],
        # "pirate" alone is also an English costume or ship: the French verb only with what was hacked or who
        "fr": [r"\b(?:(?:ete|a ete|est|suis|se fait|s est fait|me suis fait|on m a|ils ont) pirate\w*|pirate (?:mon|ma|mes|le compte|notre|nos)|"
               r"(?:compte|mot de passe|boite mail|email|mail|telephone|portable|ordi\w*|facebook|instagram|whatsapp|site) (?:\w+ ){0,2}"
               r"(?:pirate|piratee|pirates|piratees)|piratage|compromis|compromise|acces non autorise|bloquer ma carte|connexion suspecte)\b",
               r"\b(?:codes? (?:de (?:connexion|verification|securite|validation)|par sms)|sms|2fa)\b (?:\w+ ){0,8}(?:pas demande|jamais demande)\b"],
        "de": [r"\b(?:gehackt|kompromittiert|unbefugte\w* zugriff|verdachtige\w* anmeldung|karte sperren|konto sperren)\b",
               r"\b(?:neues|unbekanntes|fremdes) gerat (?:\w+ ){0,6}(?:ich hab(?:e)? (?:ein|einen|kein)|nicht meins|nicht von mir|war ich nicht)\b",
               r"\b(?:anmeldecode\w*|bestatigungscode\w*|sicherheitscode\w*|login code\w*|sms code\w*|sms|tan|2fa)\b (?:\w+ ){0,8}(?:nicht angefordert|keinen angefordert|keine angefordert)\b"],
        "pt": [r"\b(?:hackeada|hackeado|hackearam|invadida|invadido|invadiram|acesso nao autorizado|comprometida|bloquear (?:meu|o) cartao)\b",
               r"\b(?:codigos? (?:de (?:verificacao|acesso|seguranca|login)|por sms)|sms|2fa)\b (?:\w+ ){0,8}nao (?:pedi|solicitei)\b"],
    },
    "legal": {
        "en": [
            r"\b(?:lawyer|lawyers|attorney|attorneys|solicitor|lawsuit|law suit|legal action|legal proceedings|"
            r"legal department|legal team|legal notice|class action|cease and desist|subpoena|small claims|"
            r"litigation|regulator|ombudsman|consumer protection|trading standards|ftc|cfpb|bbb|"
            r"better business bureau|attorney general|court order)\b",
            r"\b(?:sue|suing|sued|report) (?:you|your company|this company|them)\b",
            r"\b(?:take|taking) (?:you|this|it|your company) to court\b",
            r"\b(?:going to|will|gonna|shall|am going to|are going to|might|plan to|intend to) sue\b",
            r"\bbreach of contract\b",
        ],
        "es": [r"\b(?:abogado|abogada|demanda|demandar|denuncia|denunciar|accion legal|tribunal|juzgado|profeco|consumo)\b"],
        "fr": [r"\b(?:avocat|avocate|poursuite|poursuivre|plainte|action en justice|tribunal|mise en demeure|dgccrf|mediateur)\b"],
        "de": [r"\b(?:anwalt|anwaltin|rechtsanwalt|klage|verklagen|rechtliche schritte|gericht|verbraucherzentrale|abmahnung)\b"],
        "pt": [r"\b(?:advogado|advogada|processo judicial|processar|acao judicial|procon|tribunal|justica)\b"],
    },
    "data_privacy": {
        "en": [
            r"\b(?:gdpr|dsar|ccpa|cpra|lgpd|dsgvo|rgpd|pipeda|subject access request|data subject request|"
            r"right to be forgotten|right to erasure|right of access|data protection officer|dpo|"
            r"privacy request|data request|data deletion|erasure request)\b",
            r"\b(?:delete|erase|remove|wipe|purge) (?:all )?(?:of )?(?:my|our) (?:personal |private )?(?:data|information|info|details|records|history)\b(?! (?:from the (?:report|dashboard|export|csv)|field))",
            r"\b(?:copy|export|access|list|report) (?:of |to )?(?:all )?(?:the |my )?(?:personal )?(?:data|information|info) (?:you|that you|your company|which you) (?:hold|have|store|keep|collect|collected|process)\b",
            r"\bwhat (?:personal )?(?:data|information|info) (?:do you|does your company|you) (?:have|hold|store|keep|collect) (?:on|about|of) (?:me|my|us|our)\b",
            r"\b(?:sell|sold|selling|share|shared|sharing|leak|leaked|leaking) (?:\w+ ){0,2}(?:my|our) (?:personal )?(?:data|information|info|details)\b",
            r"\bpersonal (?:data|information) (?:\w+ ){0,3}(?:deleted|removed|erased|access|request|copy)\b",
            r"\bopt out of (?:data|tracking|sale|selling)\b",
            # someone else's records shown to this customer: "it opened, but these are not my results, it's a woman's name"
            r"\b(?:received|got|sent me|sent us|opened|showing|shows|i see|i can see|mandaron|mandado|mandasteis|recibi|aparece|salen|recu|envoye|affiche|bekommen|geschickt|sehe|recebi|abri|mostra|veio)\b.{0,80}\b(?:someone else s|another (?:person|patient|customer|client|user|student|member) s?|"
            r"not my) (?:results?|data|details|records?|documents?|file|files|invoice|name|address|test|lab results|x rays?)\b",
        ],
        "es": [r"\b(?:proteccion de datos|borrar mis datos|eliminar mis datos|mis datos personales|derecho al olvido|derechos arco|rgpd)\b",
               r"\b(?:received|got|sent me|sent us|opened|showing|shows|i see|i can see|mandaron|mandado|mandasteis|recibi|aparece|salen|recu|envoye|affiche|bekommen|geschickt|sehe|recebi|abri|mostra|veio)\b.{0,80}\b(?:de otro|de otra) (?:alumno|alumna|paciente|cliente|persona|usuario|usuaria|socio|socia)\b"],
        "fr": [r"\b(?:rgpd|donnees personnelles|supprimer mes donnees|effacer mes donnees|droit a l oubli|droit d acces)\b",
               r"\b(?:received|got|sent me|sent us|opened|showing|shows|i see|i can see|mandaron|mandado|mandasteis|recibi|aparece|salen|recu|envoye|affiche|bekommen|geschickt|sehe|recebi|abri|mostra|veio)\b.{0,80}\b(?:d un autre|d une autre) (?:client|cliente|patient|patiente|eleve|utilisateur|personne|adherent)\b"],
        "de": [r"\b(?:dsgvo|datenschutz\w*|personenbezogene\w* daten|meine daten loschen|auskunft uber meine daten|recht auf vergessenwerden)\b",
               r"\b(?:received|got|sent me|sent us|opened|showing|shows|i see|i can see|mandaron|mandado|mandasteis|recibi|aparece|salen|recu|envoye|affiche|bekommen|geschickt|sehe|recebi|abri|mostra|veio)\b.{0,80}\b(?:von (?:einem |einer )?(?:anderen|fremden) (?:kunden|kundin|patienten|patientin|schuler\\w*|nutzer\\w*|person)|fremde daten)\b"],
        "pt": [r"\b(?:lgpd|dados pessoais|apagar meus dados|excluir meus dados|protecao de dados)\b",
               r"\b(?:received|got|sent me|sent us|opened|showing|shows|i see|i can see|mandaron|mandado|mandasteis|recibi|aparece|salen|recu|envoye|affiche|bekommen|geschickt|sehe|recebi|abri|mostra|veio)\b.{0,80}\b(?:de outra pessoa|de outro (?:paciente|cliente|aluno|usuario)|de outra (?:paciente|cliente|aluna|usuaria))\b"],
    },
    "sensitive": {
        "en": [
            r"\b(?:lost my job|laid off|been fired|got fired|unemployed|cannot afford|can not afford|"
            r"struggling (?:financially|to pay|with money)|financial (?:hardship|difficulties|difficulty|trouble)|"
            r"hardship|bankrupt|bankruptcy|debt collector|eviction|evicted|homeless)\b",
            r"\b(?:suicid\w*|kill myself|end my life|self harm|hurt myself|want to die)\b",
            # an emergency told to the bot: a human must see it now, whatever the product
            r"\b(?:chest pains?|can not breathe|cannot breathe|cant breathe|not breathing|an overdose|overdosed|unconscious|"
            r"(?:is having|am having|having|just had) a (?:heart attack|stroke|seizure)|bleeding (?:heavily|a lot|badly)|blackmail\w*|sextortion|extortion)\b",
            r"\b(?:took|taken|gave|given|swallowed|ingested) (?:\w+ ){0,4}(?:double dose|too many (?:pills|tablets))\b",
            r"\b(?:smoke (?:is )?coming|smoke everywhere|there is (?:a )?fire|on fire|gas leak|smells? (?:of|like) gas)\b",
            r"\b(?:no point (?:in )?(?:living|going on)|can not go on|cannot go on|cant go on|do not want to be here anymore|"
            r"emergency room|in a and e|in the er)\b",
            r"\b(?:domestic (?:violence|abuse)|abusive (?:partner|ex|husband|wife)|stalk\w*|harass\w*|threaten\w*|"
            r"unsafe|in danger|my safety|restraining order)\b",
            r"\b(?:my|our) (?:\d+ year old|teen|teenage|underage|minor|young) (?:son|daughter|child|kid|kids|children)\b",
            r"\b(?:minor|minors|underage|under age|child|children|kid|kids|son|daughter) (?:\w+ ){0,2}(?:used my|bought|purchased|made (?:a |some )?purchases?|spent|charged|ran up)\b",
        ],
        "es": [r"\b(?:perdi mi (?:trabajo|empleo)|desempleado|no puedo pagar|violencia|acoso|menor de edad)\b",
               r"\b(?:hacerme dano|quitarme la vida|suicid\w*|matarme|no quiero (?:seguir )?vivir|dolor en el pecho|no puedo respirar|"
               r"sale humo|hay humo|hay fuego|fuga de gas|huele a gas|para que sigo|no creo que aguante|ya no aguanto mas|no quiero seguir (?:viviendo|asi)|en urgencias|"
               r"sobredosis|inconsciente|(?:tiene|tuvo|le dio|me dio|esta teniendo) un infarto|acosa\w*|acosador\w*|extorsion\w*|chantaje\w*)\b"],
        "fr": [r"\b(?:perdu mon (?:emploi|travail)|chomage|ne peux pas payer|violence|harcelement|mineur)\b",
               r"\b(?:me faire du mal|me suicider|suicid\w*|en finir avec (?:la vie|tout)|mettre fin a mes jours|envie de mourir|"
               r"envie de disparaitre|il y a de la fumee|il y a le feu|fuite de gaz|ca sent le gaz|j en peux plus de (?:tout|la vie|vivre)|plus envie de vivre|a quoi bon (?:vivre|continuer)|aux urgences|"
               r"douleur (?:a|dans) la poitrine|n arrive (?:plus )?pas a respirer|surdose|inconscient\w*|"
               r"crise cardiaque|harcel\w*|chantage|sextorsion)\b"],
        "de": [r"\b(?:arbeitslos|job verloren|nicht bezahlen|gewalt|belastigung|minderjahrig\w*)\b",
               r"\b(?:mir (?:etwas|was) antun|mich umbringen|suizid\w*|selbstmord\w*|nicht mehr leben|will sterben|brustschmerz\w*|"
               r"hat alles keinen sinn mehr|es raucht|rauch kommt|es brennt|gasgeruch|riecht nach gas|in der notaufnahme|kriege keine luft|krieg keine luft|bekomme keine luft|uberdosis|bewusstlos|(?:hat|hatte|habe|erlitten) (?:\w+ )?einen "
               r"(?:herzinfarkt|schlaganfall)|belastigt|stalker\w*|gestalkt|stalkt|erpress\w*)\b"],
        "pt": [r"\b(?:perdi (?:meu|o) emprego|desempregad\w+|nao consigo pagar|violencia|assedio|menor de idade)\b",
               r"\b(?:me machucar|me matar|suicid\w*|tirar (?:a )?minha (?:propria )?vida|nao quero mais viver|quero morrer|dor no peito|"
               r"saindo fumaca|pegando fogo|vazamento de gas|cheiro de gas|nao aguento mais (?:viver|isso tudo|tudo isso)|pra que continuar|nao vejo mais sentido|no pronto socorro|"
               r"nao consigo respirar|overdose|desmaiou|inconsciente|(?:teve|tendo|deu|esta tendo) um infarto|assedi\w*|chantage\w*|extors\w*)\b"],
    },
    "enterprise_contract": {
        "en": [
            r"\b(?:enterprise|business|corporate|volume|custom|annual|multi year|multiyear) (?:plan |tier |license |licence )?(?:contract|agreement|deal|pricing negotiation|quote|discount|terms)\b",
            r"\b(?:msa|master services agreement|master service agreement|data processing agreement|dpa|"
            r"order form|redline|redlines|procurement|security questionnaire|vendor assessment|vendor onboarding|"
            r"purchase order|net 30|net 60|net 90|sla credits?|uptime credits?)\b",
            r"\b(?:contract|agreement) (?:renewal|negotiation|terms|amendment|changes?|review|termination)\b",
            r"\b(?:renegotiat\w+|negotiat\w+) (?:\w+ ){0,3}(?:contract|price|pricing|terms|renewal|discount|deal)\b",
            r"\b(?:\d{3,}|hundreds of|thousands of) (?:seats|licenses|licences|users)\b",
        ],
        "es": [r"\b(?:contrato empresarial|contrato corporativo|negociar (?:el )?contrato|renovacion del contrato|orden de compra)\b"],
        "fr": [r"\b(?:contrat entreprise|negocier (?:le )?contrat|renouvellement du contrat|bon de commande)\b"],
        "de": [r"\b(?:rahmenvertrag|unternehmensvertrag|vertragsverhandlung\w*|vertragsverlangerung|bestellschein|auftragsverarbeitungsvertrag|avv)\b"],
        "pt": [r"\b(?:contrato empresarial|contrato corporativo|negociar (?:o )?contrato|renovacao do contrato|ordem de compra)\b"],
    },
}


# Illness, a hospital stay, a death in the family: told in passing ("my husband passed three years ago, the
# boiler is gurgling", flowers for a colleague's late father) they are routine; told with an account, a bill
# or a contract to settle ("in the hospital for two weeks and missed the payment", "mum passed away and her
# subscription is still charging") they are the "sensitive" case a person should take. They are "sensitive"
# when CIRCUMSTANCE_MATTERS also matches the message, or the learned layer finds something a human must handle
# in it (`[triggers.learned] circumstance_threshold`); without the layer, always.
SENSITIVE_CIRCUMSTANCES: dict[str, list[str]] = {
    "en": [
            r"\b(?:had|have|having|after|recovering from|need|needs|scheduled for|emergency) (?:a |an |my |major )?(?:\w+ )?surgery\b",
            r"\b(?:cancer|chemo|chemotherapy|in (?:the )?hospital|hospitali[sz]ed|illness|terminal (?:illness|cancer|diagnosis|condition)|diagnosed|"
            r"medical (?:emergency|condition|leave|reasons|bills)|"
            r"mental health|depression|depressed|anxiety attack)\b",
            r"\b(?:i am|im|i have been|got|getting|i fell|am) (?:very |really |seriously |so |terribly |gravely )?(?:sick|ill)\b(?! (?:of|and tired))",
            r"\b(?:seriously|terminally|chronically|gravely|critically) ill\b",
            r"\b(?:my|our|her|his) (?:\w+ )?(?:husband|wife|partner|spouse|mother|father|mom|mum|dad|son|daughter|child|baby|brother|sister|parent|parents|grandmother|grandfather|grandma|grandpa|uncle|aunt|cousin|friend|relative|fiance|fiancee|boyfriend|girlfriend) (?:\w+ ){0,2}(?:died|passed|is dying|was killed)\b",
            r"\b(?:passed away|death in (?:the|my) family|funeral|bereavement|bereaved|widow|widowed|deceased)\b(?! (?:of the (?:server|app|process)))",
    ],
    "es": [r"\b(?:enfermedad|en el hospital|hospitalizad\w+|cancer|fallecio|fallecimiento|murio)\b"],
    "fr": [r"\b(?:maladie|a l hopital|hospitalise\w*|cancer|deces|decede)\b"],
    "de": [r"\b(?:krankheit|im krankenhaus|krebs|verstorben|todesfall)\b"],
    "pt": [r"\b(?:doenca|no hospital|hospitalizad\w+|cancer|faleceu|falecimento)\b"],
}

# What makes an illness or a bereavement the customer's matter with the business: their (or the late person's)
# account, a payment, a bill, a contract, access, a cancellation. Any language, searched only after a
# circumstance matched.
CIRCUMSTANCE_MATTERS = (
    r"\b(?:account|accounts|subscription|subscriptions|membership|plan|contract|policy|bill|bills|billing|invoice|"
    r"invoices|payment|payments|pay|paid|charge|charges|charged|charging|fee|fees|debit|debited|refund|deadline|"
    r"overdue|late|missed|cancel|cancelled|canceled|close|closing|access|login|password|debt|loan|arrears|renewal|"
    r"konto|kundenkonto|abo|abonnement|mitgliedschaft|vertrag|tarif|rechnung|rechnungen|zahlung|zahlungen|bezahlen|"
    r"bezahlt|abbuchung|abgebucht|lastschrift|gebuhr|gebuhren|mahnung|frist|kundigen|kundige|kundigung|zugang|passwort|"
    r"ruckerstattung|erstattung|raten|"
    r"cuenta|suscripcion|membresia|contrato|poliza|factura|facturas|pago|pagos|pagar|cobro|cobros|cobrado|cobrando|"
    r"cargo|cargos|recibo|recibos|plazo|cancelar|cerrar|baja|acceso|contrasena|reembolso|deuda|cuota|cuotas|"
    r"compte|abonnement|adhesion|contrat|facture|factures|paiement|paiements|payer|prelevement|preleve|frais|"
    r"echeance|retard|resilier|resiliation|fermer|acces|mot de passe|remboursement|dette|mensualite|"
    r"conta|assinatura|plano|contrato|apolice|fatura|faturas|boleto|pagamento|pagamentos|cobranca|cobrado|"
    r"cobrando|debito|prazo|cancelar|encerrar|acesso|senha|reembolso|estorno|divida|parcela|parcelas|mensalidade)\b"
)
