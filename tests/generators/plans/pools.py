"""Topics a fake model proposes, per language and rubric category: different subjects (none a
rewording of another), enough for a month of posts."""

from __future__ import annotations

from storage.enums import Rubric

TOPICS: dict[str, dict[Rubric, list[str]]] = {
    "ru": {
        Rubric.EDUCATIONAL: [
            "Как выбрать помол для воронки", "Какая вода нужна для кофе",
            "Как хранить зерно дома", "Чем фильтр отличается от эспрессо",
            "Сколько кофе класть на чашку", "Что такое степень обжарки",
            "Как читать этикетку на пачке", "Зачем кофе отдыхает после обжарки",
            "Как варить кофе в турке", "Чем арабика отличается от робусты",
            "Как настроить кофемолку дома", "Что такое кислотность в кофе",
        ],
        Rubric.NEWS: [
            "Утро в обжарочном цехе", "Новый ростер приехал", "Знакомьтесь: наш новый бариста",
            "Как мы отбираем лоты", "Ремонт на Вайнера закончен",
            "Наша команда на чемпионате бариста", "Поставка зерна из Колумбии",
            "Мы перешли на компостируемые стаканы", "Итоги квартала в цифрах",
            "Открываем летнюю веранду", "Новая упаковка для зерна",
        ],
        Rubric.UGC: [
            "Фото гостей с летней террасы", "Ваши рецепты колд брю",
            "Истории первых гостей кофейни", "Лучшие латте-арты подписчиков",
            "Ваши кофейные кружки", "Гости рассказывают про любимый лот",
            "Где вы пьёте наш кофе в дороге", "Ваши утренние ритуалы",
        ],
        Rubric.ENTERTAINING: [
            "Кофейные суеверия со всего мира", "Город до открытия кофейни",
            "Тест: какой вы кофейный напиток", "Кофе в кино",
            "Самые странные кофейные рецепты", "Угадай страну по вкусу",
            "Кофе и космос", "Как пили кофе сто лет назад",
        ],
        Rubric.COMMERCIAL: [
            "Набор для воронки со скидкой", "Абонемент на кофе на месяц",
            "Подарочные сертификаты", "Бесплатная доставка зерна по городу",
            "Скидка на второй пакет", "Корпоративный кофе для офиса",
            "Дегустационный сет из трёх лотов", "Кешбэк баллами за отзыв",
        ],
    },
    "en": {
        Rubric.EDUCATIONAL: [
            "How to close the month in three days", "Reconciling bank feeds automatically",
            "A checklist for accruals", "How to read a cash flow statement",
            "When to book prepaid expenses", "Setting materiality thresholds",
            "Handling multi-currency invoices", "Why your trial balance drifts",
            "Building a close calendar", "Approving expenses without email chains",
            "Fixed asset depreciation basics", "Year-end audit preparation",
        ],
        Rubric.NEWS: [
            "Our new API for accountants", "Meet the support team in Leeds",
            "What shipped in the spring release", "We are hiring engineers",
            "Inside our security review", "Our roadmap for the next quarter",
            "A new office in Manchester", "How we test the ledger engine",
            "Dark mode is here", "Our accessibility pledge", "Faster bank imports",
        ],
        Rubric.UGC: [
            "Customer story: how Acme cut its close time", "A finance team's first month with us",
            "Your favourite shortcut, shared", "How a charity runs its books",
            "A CFO on moving off spreadsheets", "Readers' month-end survival tips",
            "A bakery's bookkeeping routine", "What our users asked us this week",
        ],
        Rubric.ENTERTAINING: [
            "Month-end bingo", "The history of double-entry bookkeeping",
            "Spreadsheet horror stories", "Accountants in films",
            "Guess the ledger from the decade", "The oddest expense claims",
            "A day in the life of an invoice", "Finance puns we are not sorry for",
        ],
        Rubric.COMMERCIAL: [
            "Book a demo this week", "A free trial for small teams",
            "Annual plans at a lower price", "Migration help at no cost",
            "Refer a colleague and save", "The partner programme for firms",
            "Priority support for growing teams", "A webinar on closing faster",
        ],
    },
}  # fmt: skip
