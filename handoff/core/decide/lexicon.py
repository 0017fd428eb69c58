"""Shipped phrase patterns of the triggers, per language (en, es, fr, de, pt).

Every pattern is a regular expression matched against *normalised* text (see `normalize.py`):
lowercase, accents stripped, contractions expanded ("don't" -> "do not"), chat slang expanded
("u" -> "you", "pls" -> "please", "sb" -> "someone"), near-miss spellings of key words corrected,
punctuation replaced by single spaces. So patterns are written in plain lowercase ASCII words
separated by single spaces, and `_` inside a pattern stands for "up to N filler words".

Settings may add phrases (`extra_phrases`) or switch languages off; they never need to copy these.
"""
from __future__ import annotations

# the always-human categories are a long table of their own, re-exported here with the other triggers' phrases
from handoff.core.decide.lexicon_categories import (  # noqa: F401
    ALWAYS_HUMAN,
    CIRCUMSTANCE_MATTERS,
    SENSITIVE_CIRCUMSTANCES,
)

# Up to five arbitrary words between two parts of a phrase ("talk to a real live person").
W5 = r"(?:\w+ ){0,5}"

# --------------------------------------------------------------------------------------------
# Explicit requests for a human
# --------------------------------------------------------------------------------------------
_EN_PEOPLE = (
    r"(?:human|humans|person|someone|somebody|anyone|anybody|agent|agents|rep|reps|real people|your people|"
    r"representative|representatives|operator|operators|manager|supervisor|staff|employee|"
    r"advisors?|advisers?|specialists?|consultants?|technicians?|engineers?|support person|support staff|live chat|"
    r"live support|real one|team member|member of (?:your|the) (?:team|staff)|customer service|"
    r"customer support|customer care|support team|your team|the team|sales team|account manager|"
    r"a man|a woman|a guy|someone real|human being)"
)
# Verbs that, followed closely by a person word, ask to be put in touch with one.
_EN_CONTACT = (
    r"(?:talk|talking|talked|speak|speaking|chat|chatting|contact|contacting|reach|reaching|get in touch with|be in touch with|getting in touch with|"
    r"connect me|transfer me|transfer to|transfer us|send me to|redirect me to|transfer this|transfer the (?:chat|conversation|call)|escalate|escalating|"
    r"put me through|patch me through|hand me over|hand me off|hand this over|pass me|forward me|"
    r"switch me|call|ring|phone|hand me)"
)
# Weaker verbs ("i need a human") only count when the person word follows right after.
_EN_WANT = r"(?:need|want|prefer|request|requesting|get|give me|get me|bring|send|find me|demand|demanding|asking for|ask for|would like|d like|can i have|could i have|may i have|can we have|could we have)"
_EN_PERSON_STRICT = (
    r"(?:human|humans|person|people|agent|agents|rep|reps|representative|representatives|operator|operators|specialists?|engineers?|technicians?|advisors?|"
    r"manager|supervisor|staff member|employee|live chat|live support|real one|human being|someone real|"
    r"someone from (?:your|the|ur) (?:team|company|staff|support)|someone who (?:works|can actually)|"
    r"customer (?:support|service|care)(?: team| agent| rep| representative)?|support (?:team|agent|staff|rep))"
)

EXPLICIT: dict[str, list[str]] = {
    "en": [
        # "talk to a real person", "speak with someone", "contact a human agent"
        rf"\b{_EN_CONTACT} {W5}{_EN_PEOPLE}\b",
        # "i need a human", "get me a real person", "want an agent now"
        rf"\b{_EN_WANT} (?:to (?:a|an|the|some|your|with|to) )?(?:a |an |the |some |your |one )?(?:real |live |actual |proper |human |senior )?{_EN_PERSON_STRICT}\b",
        # "is there any human available", "anyone there", "is anybody real there"
        r"\b(?:is|are) (?:there|this) (?:any|a|an|some|no)? ?(?:real |live |actual )?(?:human|person|someone|somebody|anyone|anybody|agent|humans|representative)s?\b(?= (?:available|around|there|here|online|i can|i could|who|that|to|on|at|please|in (?:support|your))|$)",
        r"\b(?:is|are) (?:anyone|anybody|someone|somebody|a human|a person|an agent|a real person) (?:\w+ ){0,3}(?:around|there|available|online|here|real|awake|working)\b",
        r"\b(?:anyone|someone|somebody|anybody) (?:from|at|in) (?:your |the )?(?:support|team|staff|company|office|helpdesk|help desk)\b",
        r"\b(?:do not|dont|no longer) want (?:to (?:talk|chat|speak) (?:to|with) )?(?:a |the |your |this |an )?(?:bot|robot|machine|ai|chatbot|automated)\b",
        r"\b(?:any|a) (?:human|person|agent|representative|operator)s? (?:available|around|there|online|i can|here|awake|out there)\b",
        r"\b(?:someone|somebody|a human|a person|an agent|a member of (?:your|the) (?:team|staff)|your (?:team|staff|support team|support staff)|a representative|a rep|a manager) (?:\w+ ){0,2}(?:contact|call|email|phone|reach out to|get back to|ring) (?:me|us)\b",
        # "real person", "live agent", "actual human": the adjective alone says it
        r"\b(?:real|live|actual|human|flesh and blood) (?:person|people|human|humans|agent|agents|being|representative|rep|operator|support|help|assistance|someone|one)\b",
        # a one-word message: "agent", "human please", "representative!!"
        r"^(?:please )?(?:an? )?(?:human|agent|representative|rep|operator|person|manager|supervisor|live agent|real person|someone)(?: please| now| asap| right now)*$",
        # "not a bot", "stop the bot", "i do not want a robot"
        r"\b(?:not|no|stop|enough|hate|without) (?:with |talking to |to )?(?:a |the |this |your |more |stupid |damn )?(?:bot|bots|robot|robots|machine|chatbot|ai|automated)\b",
        r"\b(?:are you|you are|is this|am i talking to|am i chatting with) (?:a |an |just a )?(?:bot|robot|machine|real|human|person|ai)\b.{0,160}\b(?:human|person|someone|real)\b",
        r"\bescalate (?:this|it|my|the|me)\b",
        r"\b(?:assisted|helped|served|handled|answered|contacted|called|attended) by (?:a |an |the |some |one of your )?(?:real |live |actual )?(?:human|person|agent|representative|rep|operator|someone|somebody|staff|employee|people)\b",
        r"\b(?:assistance|help|support|attention) (?:from|of|by) (?:a |an |some )?(?:real |live |actual )?(?:human|person|agent|representative|someone|somebody|staff member|employee)\b",
        r"\b(?:phone |telephone |contact )?number (?:for|of|to) (?:\w+ )?(?:customer service|customer support|support|an agent|a human|a person|someone|your team|your office)\b",
        r"\bwhat (?:\w+ ){0,2}number (?:\w+ ){0,3}(?:call|ring|phone) (?:\w+ ){0,3}(?:someone|somebody|a human|a person|an agent|support|customer service)\b",
        r"\b(?:bot|bots|robot|robots|chatbot|machine|ai|automated system) (?:is|are) (?:\w+ )?(?:stupid|useless|dumb|pointless|worthless|not helping|not helpful|garbage|a joke|no help)\b",
        r"\b(?:hand|pass|route|forward|switch|bring in|loop in|handover|hand over) (?:\w+ ){0,5}(?:human|person|agent|representative|operator|someone|somebody|real person)\b",
        r"\b(?:call|ring|phone) me(?: back)?\b",
        r"\bcallback\b",
        r"\bsomeone (?:from|at|on) (?:your|the|ur) (?:team|company|staff|support|side|end)\b",
        r"\b(?:someone|somebody|a human|a person) (?:to|who can|that can|could) (?:help|call|look|check|talk|speak|assist|contact)\b",
    ],
    "es": [
        r"\b(?:hablar|hablo|comunicarme|comunicar|contactar|chatear|pasame|pasarme|ponme|ponerme|transferirme|quiero|necesito|deseo|puedo) (?:\w+ ){0,4}(?:humano|humana|persona|alguien|agente|asesor|asesora|operador|operadora|ejecutivo|ejecutiva|representante|encargado|gerente|supervisor|empleado)\b",
        r"\b(?:persona|agente|atencion|asesor|ser) (?:real|humano|humana|en vivo)\b",
        r"\bno (?:quiero|deseo) (?:hablar con )?(?:un |una |el |la )?(?:bot|robot|maquina|contestador)\b",
        r"^(?:un )?(?:humano|agente|asesor|operador)(?: por favor)?$",
        r"\bhay (?:alguien|alguno|una persona|un humano)(?: \w+){0,2}? (?:real|de verdad|que no sea (?:un )?(?:bot|robot|maquina))\b",
        r"\bque no sea (?:un |una )?(?:bot|robot|maquina|ia)\b",
    ],
    "fr": [
        r"\b(?:parler|discuter|joindre|contacter|mettre en relation|mettez moi en relation|passer|passez moi|passez|transferez moi|veux|voudrais|besoin) (?:\w+ ){0,4}(?:humain|humaine|personne|quelqu un|agent|conseiller|conseillere|operateur|operatrice|responsable|technicien|representant|interlocuteur)\b",
        # "une vraie personne", "une personne svp"; not "une personne" counted ("8h52, une personne")
        r"\b(?:vraie|vrai) (?:personne|humain)\b",
        r"\bun(?:e)? (?:personne|humain) (?:svp|stp|s il vous plait|s il te plait|merci|maintenant|vite|reelle|physique|qui (?:peut|puisse|sait))\b",
        r"^(?:je veux |je voudrais )?un(?:e)? (?:personne|humain)(?: svp| stp| s il vous plait| maintenant)*$",
        r"\betre humain\b",
        r"^(?:un |une )?(?:humain|humaine|agent|conseiller|conseillere|operateur|operatrice)(?: svp| stp| s il vous plait| maintenant| j ai dit| vite| merci)*$",
        r"\b(?:passe moi|passez moi|avoir|parler a|parle a|appeler|joindre) (?:\w+ ){0,2}(?:qqn|qqun|quelqu un|kelkun)\b",
        r"\b(?:qqn|qqun|quelqu un) (?:au tel|au telephone|de chez vous|de votre equipe|du service|en vrai|de reel)\b",
        r"\b(?:appeler|joindre|contacter|parler au|avoir le) (?:le |au )?service (?:a la )?client\w*\b",
        r"\b(?:transmettre|transmettez|remonter|remontez|faire remonter) (?:\w+ ){0,3}(?:a|au) (?:un |une |votre |le |la )?(?:responsable|superieur|humain|conseiller|manager)\b",
        r"\bpas (?:un |a un |avec un )?(?:robot|bot|machine)\b",
    ],
    "de": [
        r"\b(?:mit|einen|einem|einer|zu einem|zu einer) (?:\w+ ){0,2}(?:mensch|menschen|mitarbeiter|mitarbeiterin|berater|beraterin|person|agenten|kundenberater|sachbearbeiter|ansprechpartner|support mitarbeiter|vorgesetzten)\b",
        r"\b(?:gib mir|hol mir|ich will|ich brauch\w*|kann ich|mit) (?:nen|nem|ner|ne) (?:echten |richtigen )?(?:mensch|menschen|mitarbeiter\w*|berater\w*|person)\b",
        r"\bmit (?:der |dem |einer |einem )?\w*(?:leitung|chefin|chef|geschaftsfuhrung|verantwortlichen)\b (?:\w+ ){0,3}(?:sprechen|reden|telefonieren)\b",
        r"^(?:\w+ )?(?:kundenbetreuer\w*|kundenberater\w*|kundenservice|mitarbeiter\w*|mensch|menschen|support)(?: (?:pls|plz|bitte|please|jetzt|sofort|asap|dringend))+\b",
        r"\b(?:echten|echte|echter|richtigen|richtige|lebenden) (?:mensch|menschen|person|mitarbeiter)\b",
        r"\b(?:verbinden|weiterleiten|durchstellen|zuruckrufen|ruckruf)\b",
        r"\bkein(?:en)? (?:bot|roboter|maschine)\b",
    ],
    "pt": [
        r"\b(?:falar|conversar|contatar|contactar|chamar|quero|preciso|gostaria|passar|transferir) (?:\w+ ){0,4}(?:humano|humana|pessoa|alguem|atendente|agente|operador|operadora|consultor|consultora|gerente|supervisor|representante|funcionario)\b",
        r"\b(?:pessoa|atendimento|atendente) (?:real|humano|humana|de verdade|de vdd)\b",
        r"\bnao (?:quero|aguento) (?:falar com )?(?:um |o |esse )?(?:robo|bot|maquina)\b",
    ],
}

# Phrases that look like a request for a human but are not. Matched first and blanked out.
EXPLICIT_NEGATIVES: list[str] = [
    # software agents
    r"\b(?:monitoring|monitor|user|travel|insurance|real estate|estate|ssh|build|ci|deploy|deployment|"
    r"datadog|backup|sync|update|windows|linux|mac|macos|desktop|proxy|ai|collector|log|logging|"
    r"install|installed|installing|uninstall|the linux|on prem|on premise|remote|endpoint|mdm|"
    r"security|antivirus|puppet|chef|jenkins|gitlab|github|runner|sidecar|host|server|kubernetes|k8s|"
    r"cloud|this|that|our|my) agents?\b(?! (?:please|now|asap|on the phone|to call|to contact))",
    r"\bagents? (?:version|versions|install|installation|installer|config|configuration|update|"
    r"upgrade|logs?|binary|service|process|token|key|software|crash\w*|fail\w*|running|status|"
    r"package|plugin|daemon|setup|download|not reporting|stopped|offline|heartbeat|api|sdk)\b",
    r"\bhuman (?:readable|resources|error|verification|check|timing|friendly|format|language|rights)\b",
    r"\bhuman readable\b",
    r"\bhr\b",
    r"\b(?:not|no|i am|im|a) (?:robot|bot)\b(?= (?:check|checkbox|captcha|verification|test))",
    r"\bcaptcha\b",
    r"\bperson(?:al|ally|alize|alise|alized|alised|ality)\b",
    r"\bsomeone (?:else|in my family|in my team)(?:s)?\b",
    r"\b(?:add|invite|remove|share|assign|mention|tag|transfer ownership to|give access to|"
    r"grant access to|let) (?:\w+ ){0,2}(?:someone|somebody|a person|people|users?|team members?)\b",
    # the customer asks the bot to relay a routine question: the answer is what they want
    r"\b(?:ask|asking|asked) (?:an|the|a|your|one) agents? (?:if|whether|how|where|what|when|which|"
    r"who|why|about|for|to (?:track|check|show|give|find|see|view|make|change|modify|edit|update|"
    r"set|reset|retrieve|recover|switch|download|send|tell|provide|place|help me with))\b",
    r"\b(?:agent|agents|representative) (?:told|said|mentioned|helped|was|were)\b(?! (?:rude|useless|unhelpful))",
    r"\bhow (?:do|can) i (?:become|hire|add|invite|create|configure|set up|setup) (?:an? |more )?(?:agent|agents|human|person|user|people)\b",
    r"\b(?:my|our|their) (?:\w+ )?(?:team|manager|managers|boss|colleague|colleagues|customers?|users?|clients?|accountant|admin|supervisor|it team|it department|agents?|staff|employees?|reps?|people|engineers?)\b",
    r"\b(?:my|our) (?:team|manager|boss|colleague|colleagues|customers?|users?|clients?) (?:wants?|needs?|asked)\b",
    r"\bcall me (?:by|at)\b(?! (?:\d|the|your|a))",
    r"\b(?:api|webhook|callback url|callback urls|callback function|callbacks)\b",
    r"\bcontact (?:form|details|info|information|list|lists|page|email|address|fields?|properties|property|records?|sync|import|export)\b",
    r"\b(?:need|want|get) (?:an? )?(?:\w+ )?(?:agents?|operators?) (?:license|licence|licenses|licences|seat|seats|role|account|accounts|permission|permissions)\b",
]


# --------------------------------------------------------------------------------------------
# Frustration, pushback, hedging
# --------------------------------------------------------------------------------------------
FRUSTRATION_STRONG: list[str] = [
    r"\b(?:ridiculous|unacceptable|useless|pathetic|absurd|outrageous|incompetent|infuriating|furious|"
    r"livid|disgusted|disgraceful|appalling|joke of a|worst (?:service|support|company|experience|bot|app)|"
    r"waste of (?:my )?(?:time|money)|wasting my time|fed up|had enough|sick of|sick and tired|"
    r"fuming|beyond frustrat\w+|extremely frustrat\w+|so frustrat\w+|really frustrat\w+|very frustrat\w+)\b",
    r"\b(?:you are|youre|this is|that is|thats|its|it is|this bot is|you re) (?:\w+ )?(?:not helping|useless|stupid|dumb|a joke|"
    r"not helpful|no help|unhelpful|hopeless|garbage|trash|rubbish|terrible|horrible|awful)\b",
    r"\b(?:you|this|it) (?:do|does|did) not (?:understand|help|answer|listen|get it|read)\b",
    r"\b(?:i|we) (?:already|just) (?:told|said|explained|asked|answered|tried|did)\b",
    r"\bhow many (?:more )?times\b",
    r"\bfor the (?:third|3rd|fourth|4th|fifth|5th|tenth|nth|hundredth|last) time\b",
    # the customer counting their own repeats, or the bot's: "asking third time", "same answer again"
    r"\b(?:asking|telling you|saying|said|told you|asked|explaining|repeating)(?: (?:it|this|you))? (?:for )?(?:the |a )?"
    r"(?:third|3rd|fourth|4th|fifth|5th) time\b",
    r"\b(?:third|3rd|fourth|4th|fifth|5th) time (?:i am|im|i have|ive|now|asking|telling|that)\b",
    r"\bsame (?:answer|reply|response|message|link|article) (?:again|\d times|twice|three times|over and over)\b",
    r"\bi (?:keep|have to keep|had to keep) (?:asking|telling|repeating|explaining)\b",
    r"\byou (?:keep|kept) (?:saying|telling|sending|giving|repeating|asking)\b",
    r"\b(?:that is|thats|this is|its|it is) not what i (?:asked|said|meant|need|wanted|want)\b",
    r"\b(?:answer|read) my (?:question|message)\b",
    r"\bnot (?:helpful|helping) at all\b",
    r"\b(?:can not|cannot) understand you\b",
    r"\bdo not understand you\b",
    r"\bstill (?:not|does not|doesnt|is not|isnt|can not|have not|havent|no) (?:\w+ )?(?:working|work|works|fixed|resolved|solved|received|arrived|sorted|answered)\b",
    r"\bnothing (?:you )?(?:works|worked|has worked|is working|helps|helped)\b",
    r"\bthis is (?:a )?(?:nightmare|insane|crazy|madness|unbelievable|a disaster)\b",
    r"\b(?:wtf|wth|ffs|omfg)\b",
    r"\b(?:fuck this|fuck you|fuck off|screw this|screw you|bullshit|this is shit|piece of shit|this sucks|you suck|you are an idiot)\b",
    r"\bgive me a (?:straight|real|proper) answer\b",
    r"\bstop (?:sending|giving|linking) (?:me )?(?:\w+ )?(?:links|articles|the same)\b",
    # es, fr, de, pt
    r"\b(?:es ridiculo|es inaceptable|no sirves|no me ayudas|no ayuda|estoy harto|estoy harta|perdida de tiempo|ya te dije)\b",
    r"\b(?:por (?:tercera|cuarta|quinta|enesima|3a|3ra) vez|te lo repito|la misma respuesta otra vez|otra vez la misma respuesta)\b",
    r"\b(?:pour la (?:troisieme|quatrieme|cinquieme|enieme|3e|3eme) fois|toujours la meme reponse|encore la meme reponse)\b",
    r"\b(?:zum (?:dritten|vierten|funften|x ten|xten|hundertsten|tausendsten) mal|immer die gleiche antwort|schon wieder die gleiche antwort)\b",
    r"\b(?:pela (?:terceira|quarta|quinta|enesima|3a) vez|ja falei|a mesma resposta de novo|sempre a mesma resposta)\b",
    r"\b(?:c est ridicule|inadmissible|inacceptable|vous ne servez a rien|tu ne sers a rien|j en ai marre|perte de temps|je vous ai deja dit)\b",
    r"\b(?:unverschamt|lacherlich|inakzeptabel|nutzlos|das hilft nicht|zeitverschwendung|ich habe es satt|hab es satt)\b",
    r"\b(?:ridiculo|inaceitavel|voce nao ajuda|nao ajuda em nada|perda de tempo|estou farto|estou farta|ja disse)\b",
]

FRUSTRATION_MILD: list[str] = [
    r"\b(?:not helpful|unhelpful|does not help|did not help|doesnt help|didnt help|not working|does not work|"
    r"did not work|doesnt work|didnt work|annoying|annoyed|frustrat\w*|disappoint\w*|confus\w*|"
    r"ugh+|come on|not happy|unhappy|upset|angry|irritat\w*|unbelievable|terrible|"
    r"horrible|awful|bad service|poor service|not good enough)\b",
    r"\b(?:that|this|it) (?:is not|isnt|doesnt|does not) (?:right|correct|work|help|answer)\b",
]

# A customer pushing back on the AI's last answer (a rejection, a correction, a doubt).
PUSHBACK: list[str] = [
    r"^(?:no|nope|nah|wrong|incorrect|not really|not quite|that is wrong|thats wrong)\b(?! (?:thank|thanks|that is all|thats all|specific|preference|particular|need to|problem|worries|rush|hurry|that will be all|that should be all|that is everything|i think that|that is fine|that is it|thats it|i am good|im good|nothing|i am all set|im all set|i think that is|i think thats|problem|worries|need|not at this|not now|not right now|i do not need|i dont need))",
    r"^(?:are you sure|really|seriously)\b",
    r"\b(?:i said|i asked for|i asked you|i told you|i meant|i already)\b(?! (?:thank|thanks))",
    r"\byou (?:gave|sent|told|showed) me (?:the )?(?:wrong|a different|the phone|another|an old|the same)\b",
    r"\b(?:try again|that is not it|thats not it|not what i)\b",
]

# An AI turn that offers or asks to confirm something: a "no" after it is an answer, not pushback.
AI_OFFER = (
    r"\b(?:please confirm|to confirm|to verify|please verify|is that (?:correct|right|ok|okay)|correct\?|"
    r"would you like|do you want (?:to|me to) (?:buy|purchase|book|reserve|make|add|get|hear|proceed)|"
    r"shall i|should i|do you need|can i help|anything else|is there anything|want me to)\b"
)

# The AI admitting it cannot help (counts as a weak signal when the customer pushes back).
AI_FAILURE: list[str] = [
    r"\b(?:i (?:could not|couldnt|can not|cannot|am unable to|was unable to|was not able to) (?:find|locate|help|access|see|do|answer|resolve))\b",
    r"\b(?:no (?:results|matches|records)|nothing (?:else )?(?:that )?match\w*|not (?:able|allowed) to help)\b",
    r"\b(?:i do not have (?:access|information|that information|the ability)|outside (?:of )?(?:my|what i) )\b",
    r"\b(?:no (?:pude|puedo|he podido) (?:encontrar|ayudar|acceder|ver|resolver)|no tengo acceso|no encuentro)\b",
    r"\b(?:je n ai pas pu (?:trouver|acceder|resoudre)|je ne peux pas (?:vous |t )?aider|je n ai pas acces)\b",
    r"\b(?:ich konnte (?:\w+ )?nicht (?:finden|helfen|zugreifen)|ich kann (?:ihnen|dir) (?:da )?nicht helfen|keinen zugriff)\b",
    r"\b(?:nao (?:consegui|consigo|pude|posso) (?:encontrar|ajudar|acessar|ver|resolver)|nao tenho acesso)\b",
]

HEDGES: list[str] = [
    r"\b(?:i think|i believe|i guess|i suppose|i assume|it is possible that|it is possible|its possible|"
    r"possibly|perhaps|might be|may be|maybe|probably|not sure|not certain|not 100|unsure|"
    r"i am not sure|im not sure|if i understand correctly|it seems|it appears|i would guess|"
    r"could be|as far as i know|to my knowledge|i do not know|i dont know|hard to say|"
    r"i can not be sure|cannot be sure|unclear)\b",
    # es, fr, de, pt (AI replies in the customer's language)
    r"\b(?:creo que|quizas|quiza|tal vez|a lo mejor|puede que|probablemente|posiblemente|no estoy segur[oa]|"
    r"parece que|es posible que|no lo se|no sabria decir|supongo que)\b",
    r"\b(?:je pense que|je crois que|peut etre|probablement|il est possible que|il se peut que|possiblement|"
    r"je ne suis pas sure?|il semble que|je ne sais pas|je suppose que)\b",
    r"\b(?:ich glaube|ich denke|vielleicht|moglicherweise|wahrscheinlich|eventuell|bin mir nicht sicher|"
    r"es konnte sein|es scheint|ich weiss (?:es )?nicht|vermutlich)\b",
    r"\b(?:acho que|creio que|talvez|provavelmente|possivelmente|nao tenho certeza|pode ser que|parece que|"
    r"e possivel que|nao sei|suponho que)\b",
]

# Page paths that mean the customer is about to cancel or is on a billing screen.
PAGE_PATTERNS: dict[str, list[str]] = {
    "cancellation": [r"cancel", r"/close[-_]?account", r"/delete[-_]?account", r"/downgrade", r"/offboard", r"/churn", r"/unsubscribe"],
    "billing": [r"/billing", r"/invoice", r"/payment", r"/subscription", r"/plans?\b", r"/pricing", r"/checkout", r"/refund"],
}

# Topic hints used only to label the intent of a conversation that escalates for a
# non-category reason (frustration, loop...) and to measure complexity (topics touched).
TOPICS: dict[str, list[str]] = {
    "billing": [r"\b(?:invoice|invoices|bill|billing|charge|charged|payment|payments|refund|price|pricing|plan|subscription|card|receipt|vat|tax|factura|facture|rechnung|fatura|pago|paiement|zahlung|pagamento)\b"],
    "technical": [r"\b(?:error|errors|\w+error|\w+exception|exception|traceback|stack trace|undefined|bug|crash\w*|broken|"
                  r"not working|does not work|fails|failing|api|integration|sync|install\w*|login|log in|password|reset|"
                  r"timeout|slow|500|404|outage|down|webhook|sdk|export|import|upload|download|app|browser|"
                  r"fehler\w*|absturz|sturzt ab|funktioniert nicht|erreur|plante|ne marche pas|ne fonctionne pas|"
                  r"falla|no funciona|se cuelga|erro|nao funciona|travou|trava)\b"],
    "account": [r"\b(?:account|profile|email address|username|user name|settings|permissions|seat|seats|team member|invite|sso)\b"],
    "shipping": [r"\b(?:order|orders|delivery|shipping|shipment|package|parcel|tracking|track)\b"],
}

# AI replies that are pure politeness; repeating them is not a loop.
AI_CLOSERS = (
    r"^(?:is there |can i help (?:you )?with |do you need (?:help with )?|anything else|"
    r"(?:you are|your) welcome|have a (?:good|great|nice|lovely) (?:day|evening|night|one)|"
    r"glad (?:i could|to) help|thank you|thanks|ok|okay|sure|great|goodbye|bye)\b.{0,60}$"
)
