"""The word lists and patterns of the comment classifier (generators/replies/classify.py):
one tuple of regular expressions per kind of comment, over case-folded text (ё as е), easy to
extend. Crisis lists favour recall: a false alarm costs a person's look, a miss costs more."""

from __future__ import annotations

import re

# --- Crisis word lists (favour recall: a false alarm costs a person's look, a miss costs more).

LEGAL = (
    # courts, claims and lawsuits
    r"\bсуд(?:а|у|ом|е|ы|ов|ам|ами|ах)?\b",
    r"\bсудеб\w*|\bсуди(?:ться|лись|мся|тесь)\b|\bзасуж\w*",
    r"\bиск(?:а|у|ом|е|и|ов|овое|овым|овом)?\b|\bдосудебн\w*",
    r"\bюрист\w*|\bюридич\w*|\bадвокат\w*",
    # regulators, prosecutors and the police
    r"роспотребнадзор\w*|\bроскомнадзор\w*|\bркн\b|\bфас\b|\bантимонопольн\w*",
    r"\bпрокуратур\w*|\bпрокурор\w*|\bследств\w*|\bследовател\w*",
    r"\bполици\w*|\bмвд\b|\bучастков\w*|\bзаявлени\w* в (?:полицию|мвд|органы)",
    r"\bуголовн\w*|\bук рф\b|\bкоап\b|\bэто (?:уголовная )?статья\b",
    r"\bзащит\w* прав потребител\w*|\bзозпп\b|\bнадзорн\w*",
    r"\blawsuits?\b|\bsu(?:ed|ing)\b|\blitigat\w*|\bclass[- ]action\b|\bsmall claims\b",
    r"\battorneys?\b|\blawyers?\b|\blegal (?:action|team|notice|department)\b",
    r"(?<!food )\bcourts?\b|\bsubpoena\w*|\bcease and desist\b|\bbreach of contract\b",
    r"\bftc\b|\bregulators?\b|\bombudsman\b|\bconsumer protection\b|\bbetter business bureau\b",
    r"\bdata protection (?:authority|regulator)\b|\bgdpr (?:complaint|violation)\w*",
    r"\bpolice\b|\bcops\b|\breport(?:ed|ing)? you to\b",
)

SAFETY = (
    # poisoning and sickness after food or drink
    r"\bотрав\w*|\bтраванул\w*|\bрвот\w*|\bрвал[оа]\b|\bвырвал\w*|\bстошнил\w*",
    r"\bдиаре\w*|\bкишечн\w* инфекци\w*|\bопасн\w* для здоровья\b",
    r"\bpoison\w*|\bgot sick\b|\bsick after\b|\bthrew up\b|\bthrowing up\b|\bvomit\w*",
    r"\bdiarrh\w*",
    # allergy
    r"аллерги\w*|анафилак\w*|\bотек\w*|\ballerg\w*|\banaphyla\w*|\bepipen\b",
    r"\bраспух\w*|\bопух\w*|\bеле дыш\w*|\bне могу дышать\b|\bзадыха\w*|\bсыпь\w*|\bкрапивниц\w*",
    r"\bswollen\b|\bswelling\b|\bcan'?t breathe\b|\btrouble breathing\b|\bhives\b|\brash\b",
    # hospital and ambulance ("ER" is matched case-sensitively apart)
    r"\bбольниц\w*|\bгоспитализ\w*|\bреанимаци\w*|\bтравмпункт\w*|\bнеотложк\w*",
    r"\bскорую\b(?! доставк)|\bскор(?:ая|ой) помощ\w*|\bна скорой\b|\bскорая приехал\w*",
    r"\bhospital\w*|\bemergency room\b|\bambulance\b|\bparamedic\w*|\b911\b|\burgent care\b",
    # foreign bodies and spoiled food
    r"\bстекл[оа]\b|\bстекляш\w*|\bоскол(?:ок|ки|ка|ком|ками)\b",
    r"\bплесен\w*|\bплесневе\w*|\bзаплесн\w*|\bтаракан\w*|\bличинк\w*|\bчерв(?:ь|и|ей|як\w*)\b",
    r"\bglass in\b|\bshards?\b|\bpiece of (?:glass|metal|plastic)\b|\bmou?ldy?\b",
    r"\bcockroach\w*|\bmaggots?\b|\binsects?\b|\bbugs? in (?:my|the) (?:coffee|cup|bag|food)\b",
    r"\bжук(?:и|а|ов|ом)?\b|\bнасеком\w*|\bподавил(?:ся|ась|ись)\b|\bпроглотил\w*|\bswallow\w*",
    # fire, burns, injuries and electricity
    r"\bпожар\w*|\bзагорел(?:ся|ась|ось|ись)\b|\bвозгоран\w*|\bэвакуир\w*|\bвзорвал\w*|\bвзрыв\w*",
    r"\bожог\w*|\bобжег\w*|\bобожгл\w*|\bошпар\w*|\bтравм\w*|\bпорезал\w*|\bпоранил\w*",
    r"\bудар\w* током\b|\bтоком (?:удар|бь)\w*|\bпоскользнул\w*|\bупал[аи]? в обморок\b",
    r"\bупал[аи]? (?:на|с) (?:мокр|пол|лестниц|ступен|скольз|улиц)\w*",
    r"\bвызвал\w* (?:врач|медик)\w*|\bврач\w* (?:скорой|приехал\w*)|\bмедик\w*",
    r"\bslipped\b|\bfell (?:on|down|off)\b|\bparamedics?\b|\bcalled a doctor\b",
    r"\bcaught fire\b|\bburst into flames\b|\bflames\b|\bfire (?:hazard|alarm|department)\b",
    r"\bexplod\w*|\bexplosion\b|\belectric(?:al)? shock\b|\belectrocut\w*|\bscald\w*",
    r"\bburn(?:ed|t|s)? (?:my|his|her|their|our)\b|\binjur\w*|\bchok(?:ed|ing)\b",
    r"\bcut (?:my|his|her) (?:hand|finger|mouth|lip)\w*",
    # death
    r"\bумер(?:ла|ли|ло)?\b|\bсмерт\w*|\bпогиб\w*|\bскончал\w*|\bмертв\w*",
    r"\bdied\b|\bdeath\b|\bfatal\w*|\bkilled (?:him|her|my|our|someone|a )",
    # self-harm
    r"\bне хочу (?:больше )?жить\b|\bпокончить с собой\b|\bпокончу с собой\b|\bсуицид\w*",
    r"\bсамоубийств\w*|\bубить себя\b|\bубью себя\b|\bвскрыть вены\b|\bвыпилюсь\b",
    r"\bkill(?:ing)? myself\b|\bsuicid\w*|\bself[- ]harm\w*|\bend my life\b|\bwant to die\b",
    r"\bdon'?t want to live\b|\bno reason to live\b",
)

SCANDAL = (
    # the media
    r"\bжурналист\w*|\bсми\b|\bв прессу\b|\bв прессе\b|\bтелевидени\w*|\bна тв\b",
    r"\bрепортаж\w*|\bрасследовани\w*|\bблогер\w*",
    r"\bjournalists?\b|\breporters?\b|\bthe press\b|\bthe media\b|\bnews (?:outlets?|sites?)\b",
    # boycotts and public outrage
    r"\bбойкот\w*|\bне покупайте\b|\bотписывайтесь\b|\bскандал\w*|\bразоблач\w*",
    r"\bузнают все\b|\bвсе узнают\b|\bрасскажу всем\b|\bогласк\w*|\bвирусн\w*",
    r"\bboycott\w*|\bviral\b|\bshame on you\b|\beveryone (?:should|will) know\b|\bexpose you\b",
    r"\bвыложу\b|\bопубликую\b|\bпусть все (?:увидят|знают|узнают)\b|\bтикток\w*",
    r"\bзаписал\w* видео\b",
    r"\bpost(?:ing)? (?:this|it) (?:on|to|everywhere)\b|\beveryone needs to (?:see|know)\b",
    r"\bon (?:twitter|tiktok|reddit|the news)\b",
    # discrimination and harassment
    r"\bдискриминац\w*|\bрасизм\w*|\bрасист\w*|\bсексизм\w*|\bсексист\w*|\bгомофоб\w*",
    r"\bхарассмент\w*|\bдомогательств\w*|\bдомогал\w*|\bнациональност\w*|\bцвет\w* кожи\b",
    r"\bdiscriminat\w*|\bracis[mt]\w*|\bsexis[mt]\w*|\bhomophob\w*|\btransphob\w*|\bharass\w*",
    r"\bmisogyn\w*|\bbigot\w*|\binappropriate (?:messages|comments|behaviou?r|touching)\b",
    r"\bsexual\w*",
    r"\bпошл(?:ые|ых|ыми|ости|ость)\b|\bприставал\w*|\bпристает\b|\bдомога\w*",
    r"\bскрины? у меня\b|\bу меня (?:есть )?скрины\b|\bi have screenshots\b",
    # leaked or exposed personal data
    r"\bслил[иа]? (?:\w+ )?(?:базу|данные)\b|\bслив\w* (?:баз|данн)\w*|\bутечк\w*|\bутекл\w*",
    r"\bперсональн\w* данн\w*|\bчуж(?:ие|их) (?:заказ|данн|карт)\w*",
    r"\bdata (?:breach|leak)\w*|\bleak(?:ed|s|ing)?\b|\bexposed (?:our|my|customer|client)\w*",
    r"\bother (?:clients|customers|users|companies)['’]? (?:data|invoices|accounts?|records)\b",
    r"\bsomeone else'?s (?:data|invoices?|accounts?|orders?)\b",
    r"\banother (?:company|client|customer)['’]s\b",
    r"\bprivacy (?:breach|violation|issue)\w*|\bbreach\b(?! of contract)",
    # mistreated staff
    r"\bбез зарплаты\b|\bне платят (?:зарплату|сотрудникам)\b|\bзадерживают зарплату\b|\bрабск\w*",
    r"\bunpaid (?:staff|employees|interns|wages)\b",
)

# --- Obscenity: Russian mat roots and English profanity, anchored against innocent words.

OBSCENE_RU = (
    r"\b(?:на|по|ни|до|от|о|а|рас|за|вы|при)?ху[йеяию]",  # хуй, нахуй, охуеть (not страхуй)
    r"п[иеё]зд",  # пизда, пиздец, спиздил
    # ебать, заебал, ёбаный, долбоёб (not хлеб, небо, употреблять, Ёбург, EBITDA)
    r"\b(?:за|вы|у|до|от|на|при|про|раз|рас|пере|по|подъ|съ|въ|долбо|недо)?"
    r"еб(?:а|у(?!рг)|л|н|ись|ош|ет|и(?!тд)|ыр|ло|ок|\b)",
    r"\bбля+(?:[дт]\w*)?\b",  # бля, блядь, блять (not рубля, корабля, бляшка)
    r"\bсук(?:а|и|ин\w*|ой|е|у|ам|ами)\b",  # not сукно
    r"\bмуд(?:ак|ач|ил|озвон)\w*",  # not мудрый
    r"залуп\w*",
    r"\bпид[оа]р\w*|\bпидр\w*",  # not скипидар
    r"\bг[ао]нд[оа]н\w*|\bшлюх\w*",
    # Russian mat in Latin letters
    r"\bbl[yj]a[dt]\w*|\bpizd\w*|\bnah[uy][ij]\b|\bx[uy][ij]\w*|\bhu[iy]n[yj]a\b",
    r"\bsuka\b|\bebat\w*|\bmudak\w*",
)
OBSCENE_EN = (
    r"(?:\b|mother|cluster)f+(?:u+c*|v+c*|c+)k+(?:ing|in|er|ers|ed|s|wit|face|head|tard|up|off)?\b",
    r"\b(?:bull|horse|dip|chicken)?shit(?:s|ty|ter|head|show|hole|storm|ting)?\b",  # not shitake
    r"\bcunts?\b",  # not Scunthorpe
    r"\bbitch(?:es|ing|y)?\b|\bsonofabitch\b",
    r"\b(?:ass|arse)holes?\b|\b(?:dumb|jack)ass(?:es)?\b|\bass(?:hat|wipe|clown)s?\b",  # not class
    r"\bdickheads?\b|\bwankers?\b",
)
# Whole forms a masked word (х*й, f**k, пи**ец) is compared with.
MASKED_RU = (
    "хуй", "хуя", "хуе", "хуи", "хую", "хуйня", "хуево", "хуевый", "нахуй", "похуй", "охуеть",
    "охуенно", "охуел", "пизда", "пизды", "пизде", "пиздец", "пиздеж", "пиздят", "блядь", "бля",
    "блять", "сука", "суки", "ебать", "ебаный", "ебал", "заебал", "заебали", "мудак", "мудаки",
    "пидор", "пидорас", "пидарас",
)  # fmt: skip
MASKED_EN = (
    "fuck", "fucks", "fucking", "fucked", "fucker", "motherfucker", "shit", "shits", "shitty",
    "bullshit", "bitch", "bitches", "cunt", "cunts", "asshole", "assholes",
)  # fmt: skip

# --- Spam (after the VK spam filter's word lists: short lists of typical words).

SPAM_STRONG = (
    # money from nothing
    r"\bзаработ(?:ок|ка|ать|аю|ай)\w*|\bподработк\w*|\bпассивн\w* доход\w*|\bне выходя из дома\b",
    r"\b\d+ ?% (?:в|за) (?:день|неделю|месяц)\b",
    r"\bот \d+ ?(?:000|к|тыс)\w* (?:в|за) (?:день|неделю)",
    r"\b(?:earn|make|making|made)\b[^.!?]{0,30}\$|\$\d[\d,]*\+? (?:a|per|in a) (?:day|week|month)",
    r"\bpassive income\b|\bmake money\b|\bfrom home!",
    # crypto, casinos and betting
    r"\bкрипт\w*|\bбиткоин\w*|\bбитко\w*|\bфорекс\w*|\bcrypto\w*|\bbitcoin\w*|\bbtc\b|\busdt\b",
    r"\bforex\b|\bnft\w*",
    r"\bказино\w*|\bcasino\w*|\bфриспин\w*|\bджекпот\w*|\bjackpot\w*|\bслоты\b",
    r"\bставк\w* на спорт|\bбукмекер\w*|\bsports? bet\w*|\bbetting\b",
    # promotion of one's own page
    r"\bподпи(?:шись|шитесь|сывайтесь) на (?:мой|мою|наш|нашу)\b|\bмой канал\b|\bв профил\w*",
    r"\bна (?:моей|мою) страниц\w*|\bу меня на странице\b|\bвзаимн\w* (?:подписк|лайк)\w*",
    r"\bподпишусь (?:в ответ|на всех)\b",
    r"\bcheck (?:out )?my (?:profile|page|channel|bio|account|store|shop)\b|\bcheck out my\b",
    r"\bmy channel\b|\blink in (?:my )?bio\b|\bfollow (?:for|4) follow\b|\bf4f\b|\bsub4sub\b",
    # selling followers and accounts
    r"\bнакрут\w*|\bраскрут\w*|\bпрод(?:ам|аю) аккаунт\w*|\b\d+ ?k? (?:followers|подписчик\w*)\b",
    r"\bшапк\w* профил\w*|\bприглашаю в (?:свой|мой|наш)\b",
    r"\bв (?:свой|мой) (?:магазин|блог|паблик)\b",
    r"\b(?:dot|точка) (?:com|io|net|ru|biz|shop|рф)\b",
    r"\blead[- ]gen\w*|\b\d+x (?:roi|returns?|profits?)\b",
    r"\bgrow your (?:agency|business|account)\b",
    r"\bsingles in your area\b|\bclick (?:my|the) (?:bio|link|profile)\b",
    r"\bсекс\b|\bсекс[- ]?знакомств\w*|\bинтим\w*",
    # diets and prizes
    r"\bпохуд\w*|\blose weight\b|\bweight loss\b|\bвы выиграли\b|\bваш выигрыш\b",
    r"\byou(?:'ve| have) (?:won|been selected)\b|\bclaim (?:now|your (?:prize|reward|gift))\b",
    r"\bvoucher\b",
    r"\bbuy (?:\w+ )?(?:followers|likes|views|subscribers)\b|\bfollowers (?:cheap|fast|free)\b",
)
SPAM_WEAK = (
    # "write to me"
    r"\bпиши(?:те)? (?:мне )?(?:в )?(?:личку|лс|личные|директ|вацап|ватсап|телеграм|тг)\b",
    r"\bв лс\b|\bв личку\b|\bв директ\b",
    r"\bdm (?:me|us)\b|\bmessage (?:me|us)\b|\bwrite (?:to )?me\b|\btext me\b|\bcontact me\b",
    r"\bwhats ?app\b|\btelegram\b|\bвацап\w*|\bватсап\w*",
    # cheap, free, guaranteed
    r"\bнедорого\b|\bдешевле\b|\bдешево\b|\bcheap(?:er|est)?\b|\bгарант\w*|\bguarantee\w*",
    r"\bбонус\w*|\bbonus\w*|\bбесплатн\w*|\bfree\b|\bgift cards?\b",
    r"\bпрода(?:м|ю|ем)\b|\bselling\b|\bfor sale\b|\bсо скидкой\b|\bпишите(?: мне)?\W*$",
    r"\bhello dear\b|\bfor friendship\b|\bзнакомств\w*",
    r"\bподробност\w* (?:в|у меня|по ссылке)|\bfor details\b|\bпо ссылке\b|\blink below\b",
)
# Shorteners and social networks: a link there is the brand's only if the post has the same one.
SHARED_HOSTS = frozenset(
    {"t.me", "vk.com", "vk.ru", "ok.ru", "instagram.com", "youtube.com", "youtu.be", "x.com"}
    | {"twitter.com", "facebook.com", "linkedin.com", "tiktok.com", "wa.me", "bit.ly"}
    | {"clck.ru", "tinyurl.com", "goo.gl", "vk.cc"}
)
# Domains in TLDs the shared link finder leaves out, which spam likes.
SPAM_DOMAIN = re.compile(
    r"(?<![\w@.])(?:[a-z0-9-]+\.)+(?:bet|casino|win|vip|xyz|top|click|loan|bid|live|fun|cam)\b"
)
WALL = re.compile(r"(\S)\1{11,}")  # one character (a letter, a sign, an emoji) 12 times or more

# --- Complaints: a service problem of the commenter's own, for support.

COMPLAINT = (
    # orders lost, late or wrong
    r"\bтеря(?:ете|ют|ли)\b|\bпотерял\w*|\bгде (?:мой|наш) заказ|\bзаказа нет\b|\bнет заказа\b",
    r"\bне (?:пришел|пришла|пришло|пришли|доставил\w*|привез\w*)\b|\bедет уже\b",
    r"\bуже (?:\w+ )?(?:\d+ )?(?:дн(?:я|ей)|недел[юи]|месяц\w*)\b",
    r"\b\d+ (?:дн(?:я|ей)|недел\w*) назад",
    r"\b(?:второй|третий|четвертый|пятый|\d+-?й) (?:день|раз)\b|\bопозд\w*|\bопаздыва\w*",
    r"\bзадерж\w*",
    r"\bприслали не\b|\bа прислали\b",
    r"\bвместо \w+ (?:опять |снова )?(?:положили|прислали|привезли|дали)",
    r"\bперепутал\w*|\bне тот (?:заказ|кофе|помол|товар)\b|\bтак и не\b|\bне приехал\w*",
    r"\bпринесли (?:холодн|остывш|не т)\w*|\bостыл\w*",
    r"\bпорван\w*|\bразбит\w*|\bпомят\w*|\bрассыпал\w*|\bбракован\w*",
    r"\bпри(?:шел|шла|шло|шли|везли) без\b|\bне положили\b|\bзабыли (?:положить|привезти)\b",
    r"\bволос\w*",
    # money
    r"\bсписал[иа]?\b|\bдважды\b|\bденьги верните\b|\bверните (?:мне )?деньги\b|\bвозврат\w*",
    # things that do not work, people who do not answer
    r"\bне работа(?:ет|ют)\b|\bне открыва\w*|\bне грузит\w*|\bошибк\w*|\bглюч\w*|\bвылета\w*",
    r"\bсломал\w*|\bсломан\w*|\bне отвеча\w*|\bнет ответа\b|\bникто не (?:отвечает|ответил)\b",
    r"\bне могу (?:\w+ )?(?:дозвониться|оформить|оплатить|войти|зайти|заказать|применить)\b",
    r"\bдозвониться\b|\bигнорир(?:уете|уют|овали)\b|\bне извинил\w*",
    r"\bждал[аи]?\b(?! с нетерпением)|\bжду (?:уже|до сих|ответ\w*|возврат\w*)|\bдо сих пор\b",
    r"\bпочему (?:мой|мне|наш|у меня|до сих пор|опять|снова)\b",
    # rude staff, spoiled product
    r"\bнагрубил\w*|\bнахамил\w*|\bхамств\w*|\bхамят\b|\bгрубо (?:ответил|разговарива)\w*",
    r"\bгорчит\b|\bгорел(?:ым|ый|ое|ой)\b|\bпережар\w*|\bпросроч\w*|\bнесвеж\w*|\bзатхл\w*",
    r"\bраньше такого не было\b",
    # English
    r"\bstuck\b|\boutages?\b|\bis down\b|\bdown (?:again|since|for)\b|\bcrash(?:es|ed|ing)?\b",
    r"\bbroken\b|\bbreak(?:s|ing)? (?:the|our|my|your)\b|\bbroke (?:the|our|my)\b|\bbug(?:s|gy)?\b",
    r"\bglitch\w*|\berrors?\b|\bfail(?:s|ed|ing|ure)?\b|\bdoesn'?t work\b|\bnot working\b",
    r"\bisn'?t working\b|\bstopped working\b|\bwon'?t (?:load|sync|open|connect|let)\b",
    r"\bkeeps? (?:dropping|crashing|failing|logging)\b|\bblank\b|\bempty since\b",
    r"\bcharged twice\b|\bdouble[- ]charged\b|\bovercharg\w*|\bbilled (?:for|twice|again)\b",
    r"\brefund\w*|\bchargeback\b|\bmoney back\b",
    r"\bno (?:reply|response|answer)\b|\bnever (?:arrives?|arrived|came|replied|responded)\b",
    r"\bstill waiting\b|\bignor(?:ed|ing) (?:my|our|us|me)\b|\bticket\b",
    r"\bcan'?t (?:log ?in|sign in|access|connect|export|import|sync|pay|cancel|reach)\b",
    r"\bunable to\b|\blocked out\b|\bwrong\b|\bmissing\b|\blate\b|\bdelayed\b|\bnever got\b",
    r"\bhasn'?t (?:arrived|come)\b|\boff by\b|\bdamaged\b|\brude\b|\bunprofessional\b",
    r"\bskip(?:ped|s)\b|\bduplicat\w*",
    r"\bfor (?:an|over an|\d+|two|three|several) (?:hours?|days?)\b",
    r"\btook my money\b|\bstill (?:charg|bill)\w*",
    r"\bcancell?ed\b[^.!?]{0,40}\b(?:still|charged|billed)\b",
    r"\bwhy (?:is|has|does|did|are|have|was) (?:my|our)\b",
)

# --- Negative or hostile opinions (no problem to fix, or none stated).

NEGATIVE = (
    r"\bбурд\w*|\bгадост\w*|\bотстой\w*|\bужас\w*|\bотвратит\w*|\bмерзост\w*|\bфу+\b",
    r"\bговн\w*|\bдерьм\w*|\bхренов\w*|\bфигн\w*|\bкошмар\w*|\bпозор\w*|\bубог\w*|\bбездар\w*",
    r"\bпереоцен\w*|\bбешен\w* (?:деньги|цен\w*)|\bзадран\w*|\bдорого\b|\bне стоит своих денег\b",
    r"\bцены как в\b|\bкак в столовой\b|\bничего особенного\b|\bпонт\w*|\bхипстер\w*",
    r"\bсетев\w* кофе\b|\bраньше было лучше\b|\bскатил\w*|\bиспортил\w*|(?<!не )\bразочаров\w*",
    r"\bне понравил\w*|\bне советую\b|\bне рекомендую\b|\bне берите\b|\bхуже\b|\bкисл\w*",
    r"\bотпис(?:ываюсь|алась|ался|ываемся)\b|\bнадоел\w*|\bнадоедает\b|\bскучн\w*|\bни о чем\b",
    r"\bбесит\b|\bбесят\b|\bраздража\w*|\bсмешно\b|\bну-?ну\b|\bяд\b|\bобманыва\w*|\bобман\b",
    r"\bлохотрон\w*|\bразвод\b|\bс ума сошли\b|\bобнаглел\w*|\bзажрал\w*|\bсноб\w*|\bсвысока\b",
    r"\bпафосн\w*|\bне понимаю (?:\w+ )?(?:восторг|хайп|ажиотаж)\w*",
    r"\bчто (?:все|люди) в (?:вас|этом) находят\b",
    r"\bнеадекватн\w*|\bбольше не (?:приду|пойду|куплю|закажу|возьму)\b|\bникогда больше\b",
    r"\bохрене\w*|\bнахрен\b|\bнахер\b|\bхрен\w*|\bхерн\w*",
    r"\bкак у всех\b|\bничем не отлича\w*|\bне впечатлил\w*|\bне в восторге\b",
    r"\bкто в здравом уме\b",
    r"\boverpriced\b|\bworst\b|\bterrible\b|\bawful\b|\bhorrible\b|\bgarbage\b|\btrash\b",
    r"\bjunk\b|\bscam\w*|\brip-?off\b|\bcringe\w*|\bmeh\b|\bunfollow\w*|\bavoid\b|\buseless\b",
    r"\ba mess\b|\bmessy\b|\bбардак\w*|\bpathetic\b|\ba joke\b|\bboring\b|\bsucks?\b",
    r"\bhate\b|\bdisgust\w*|\bdisappoint\w*",
    r"\bnobody asked\b|\bwho (?:even )?(?:pays|uses|needs|asked)\b|\bdead in\b|\bwon'?t last\b",
    r"\bfor free\b|\bwaste of\b|\bnot worth\b|\bugh\b|\bridiculous\b|\bnonsense\b|\bmediocre\b",
    r"\bnot (?:impressed|happy|great|good|helpful|useful)\b|\b(?:not|n't) recommend\b|\bslower\b",
    r"\blike every other\b|\bjust another\b|\bnothing special\b|^why would anyone\b",
    r"\bwho (?:would|in their right mind) (?:ever )?(?:trust|pay|use|buy)\b",
    r"\bprice hike\w*|\byet another\b|\bno thanks\b|\bnever again\b|\bwon'?t (?:be back|renew)\b",
    r"\bcrap\w*|\bclowns?\b|\bscrew (?:this|you|it|that)\b|\bomfg\b|\bwtf\b",
    # sarcasm: "yeah, right", a praise word held up in quotes
    r"\byeah,? right\b|\bright\.\s*$|^(?:sure|yeah|ага|ну да|ну конечно)\b[^«\"'“‘]*[«\"'“‘]",
)
NEGATIVE_EMOJI = "👎🤮🤢💩😡🤬😠🙄😒"

# --- Praise.

PRAISE = (
    r"\bспасиб\w*|\bблагодар\w*|\bвкусн\w*|\bлюблю\b|\bобожа\w*|\bлюбов\w*|\bлюбим\w*",
    r"\bлучш(?:ий|ая|ее|ие|его|ему|им|ую)\b|\bсупер\w*|\bкласс(?:но|ный|ная|ные|ное)?\b",
    r"\bотличн\w*|\bпрекрасн\w*|\bчудесн\w*|\bшикарн\w*|\bвеликолепн\w*|\bкруто\b",
    r"\bкрут(?:ой|ая|ые)\b",
    r"\bвосторг\w*|\bмолодц\w*|\bбраво\b|\bогонь\b|\bкосмос\b|\bбомба\b|\bкайф\w*|\bнравит\w*",
    r"\bрекомендую\b|\bсоветую\b|\bобалдеть\b|\bдушевн\w*|\bуютн\w*|\bподнимает настроение\b",
    r"\bни разу не разочаров\w*|\bтеперь только (?:к вам|у вас|ваш\w*)\b|\bскорее бы\b",
    r"\bдавно искал\w* так\w*|\bнаконец(?:-то)?\b|\bтолько ваш\w*|\bневероятн\w*|\bпотрясающ\w*",
    r"\bбесподобн\w*|\bидеальн\w*|\bшедевр\w*|\bобалденн\w*|\bклассн\w*",
    r"\bthanks?\b|\bthank you\b|\blove[ds]?\b|\bloving\b|\bgreat\b|\bawesome\b|\bamazing\b",
    r"\bbest\b|\bnice\b|\bkudos\b|\bimpress(?:ed|ive)\b|\blifesaver\b|\bbrilliant\b|\bexcellent\b",
    r"\bfantastic\b|\bsolid\b|\bwow\b|\bperfect\b|\bbravo\b|\bcongrat\w*|\bwell done\b",
    r"\b(?:nice|good|great) job\b|\bkill(?:ed|ing) it\b|\bon fire\b|\bcomplimented\b",
    r"\bjust works\b|\bfinally\b|\bhands down\b|\bgame[- ]changer\b|\bno cap\b|\bdelicious\b",
    r"\btasty\b|\byumm?y?\b|\bbeautiful\b|\bcan'?t wait\b|\bsuper\b|\bhelpful\b|\buseful\b",
    r"\bnever (?:looking|going) back\b|\brecommend\w*|\b10/10\b|\b5 stars\b|\bworth it\b",
)
PRAISE_EMOJI = "👍❤♥💖💕😍🥰😘👏💯🙌✨💪⭐🌟🤩😻🔥🏆"

# --- Questions.

QUESTION_START = (
    r"^(?:а |и |ну |так )?(?:подскажите|скажите|не подскажете|как|где|когда|сколько)\b",
    r"^(?:а |и |ну |так )?(?:почему|зачем)\b",
    r"^(?:а |и )?(?:можно|есть ли|какой|какая|какое|какие|какую|каким|каких|кто|что|чем|куда)\b",
    r"^(?:а |и )?(?:откуда|во сколько|будет|будут|планируете|посоветуйте|возможно ли|реально ли)\b",
    r"\bли\b|\bподскажите\b|\bне подскажете\b|\bс кем связаться\b",
    r"^(?:so |and |also |hi,? |hey,? )?(?:what|what's|whats|how|when|where|why|who|which|can)\b",
    r"^(?:so |and |also |hi,? |hey,? )?(?:could|would|will|does|do|did|is|are|any|should|may)\b",
    r"\bwondering\b|\bplease advise\b|\b(?:curious|wondering) (?:whether|if|about)\b|\bi wonder\b",
    r"^интересно\b|\bинтересует\b|\bпосовету(?:ете|йте)\b",
)
# Exclamations that start like a question: "What a day!", «Как вкусно!».
CLAUSE = re.compile(r"(?<=[.!:;])\s+|\n")
EXCLAMATION = re.compile(r"^(?:what an?|how (?:nice|cool|great|lovely|good))\b|!\s*$")

# --- Off-topic: the crowd, the weather, greetings, friends tagged.

OFF_TOPIC = (
    r"\bкто[- ]нибудь\b|\bкто (?:смотрел|едет|идет|пойдет|был|знает)\b|\bмне кажется,? или\b",
    r"\bматч\w*|\bфутбол\w*|\bхокке\w*|\bпогод\w*|\bснег\w*|\bдожд\w*|\bвыборы\b",
    r"^всех с\b|^с (?:пятниц|праздник|новым годом|днем)\w*|^перв(?:ый|ая)\W*$",
    r"^\w+, (?:смотри|глянь|гляди|пойдем|сходим)\b",
    r"\banyone (?:else )?(?:going|watching|here|know)\b|\beveryone'?s\b|\bwho'?s going\b",
    r"\bis it just me\b|\bhappy (?:friday|monday|holidays|new year)\b|^first\W*$|\bweather\b",
    r"\bto everyone\b|\beveryone who\b|\bвсем,? кто\b|\bвсех,? кто\b|\bмарафон\w*|\bmarathon\b",
    r"\bthe game tonight\b|\bsuper bowl\b|\belection\b|\btagging\b|^@\w+",
)
# The brand addressed in the second person: a question or praise meant for it.
ADDRESSED = re.compile(
    r"\b(?:вы|вас|вам|ваш\w*|подскажите|посоветуете|работаете|доставляете|you|your|yours)\b"
)

# --- Text that addresses the model behind the replies rather than the brand.

INJECTION = (
    r"\b(?:ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,40}"
    r"\b(?:instructions?|rules|guidelines|prompts?|directions|above|everything)\b",
    r"\b(?:игнорируй\w*|забудь\w*|отмени|отбрось)\b[^.!?\n]{0,40}"
    r"(?:инструкци|правил|указани|промпт|ограничени|выше)",
    r"\bsystem prompt\b|\bсистемн\w* промпт\w*",
    r"\b(?:previous|prior|initial) (?:instructions|prompt)",
    r"\bпредыдущ\w* (?:инструкци|указани)\w*|\bповтори (?:все|весь)\b|\bначиная со слов\b",
    r"\brepeat (?:everything|the text) above\b|\bstarting with ['\"“]?you are\b",
    r"\byou are now (?:in\b|dan\b|an? (?:ai|assistant|model|bot|unrestricted)\b)",
    r"\bdeveloper mode\b",
    r"\bjailbreak\w*|\bpretend (?:you are|you're|to be)\b|\bi want you to act as\b|^act as\b",
    r"\bты теперь (?:в режиме|dan\b|бот|свободн|не ограничен)|\bрежим\w* разработчика\b",
    r"\bпредставь,? что ты\b|\bприказ разработчика\b|\bя твой разработчик\b",
    r"(?:^|\n|>)\s*(?:system|assistant|ai|bot|бот|ассистент|нейросеть|ии)\s*[:,]",
    r"\b(?:ai|ии)[- ](?:модератор|ассистент|assistant|moderator|model)\w*|\bдля (?:ии|ai|бота)\b",
    r"\bnew instructions?\b|\bновая инструкция\b|\bпомет\w* (?:этот )?комментари\w* как\b",
    r"\b(?:reply|respond|answer|say)\b (?:with |only )?['\"“‘«]|\bmark this comment as\b",
    r"\b(?:ответь|скажи|напиши)\b[^.!?\n]{0,30}(?:словами|фразой|[«\"“])",
    r",\s*(?:bot|ai|chatgpt|gpt|нейросеть|бот|ии)\W*$",
    r"\b(?:write|compose) (?:me )?an? (?:poem|limerick|story|essay|song|haiku)\b",
    r"\bнапиши (?:мне )?(?:стих|рассказ|песн|эссе|сочинени)\w*",
)
