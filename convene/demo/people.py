"""The fictional participants of the demo roundtables.

Every person here is invented. The names are deliberately unusual combinations, chosen so that none
is the name of a known public figure (an earlier list had several). Organization
names are generic descriptions or government departments, not people.
Columns: honorific, name, position, organization, org sector, country (ISO alpha-2), sector,
self-identified gender (None = not given), nationality.
"""
from __future__ import annotations

PARTICIPANTS_2012 = [
    ("Amb.", "Kwabena Adjei-Frimpong", "Director, Political Affairs", "Ministry of Foreign Affairs of Ghana", "government", "GH", "government", "man", "GH"),
    ("Dr.", "Lucía Ibarguren Sosa", "Senior Researcher", "Instituto de Estudios para la Paz", "academia", "AR", "academia", "woman", "AR"),
    ("Ms.", "Chisato Yamabe", "Deputy Director, Peacebuilding Division", "Ministry of Foreign Affairs of Japan", "government", "JP", "government", "woman", "JP"),
    ("Mr.", "Bartosz Żelazowski", "Policy Officer, Crisis Response", "European External Action Service", "intergovernmental", "BE", "intergovernmental", "man", "PL"),
    ("Ms.", "Thandeka Mabuza-Nkosi", "Programme Director", "Southern Africa Civil Protection Network", "civil_society", "ZA", "civil_society", "woman", "ZA"),
    ("Dr.", "Vikrant Sahasrabudhe", "Fellow, Conflict Prevention", "Centre for Policy Dialogue, New Delhi", "academia", "IN", "academia", "man", "IN"),
    ("Col.", "Ragnhild Øvrebø", "Senior Adviser, Protection of Civilians", "Norwegian Ministry of Defence", "government", "NO", "government", "woman", "NO"),
    ("Mr.", "Tochukwu Adebanjo-Ike", "Early Warning Analyst", "Regional Economic Community Early Warning Centre", "intergovernmental", "NG", "intergovernmental", "man", "NG"),
    ("Ms.", "Rima Abu-Sweilem", "Director", "Levant Human Rights Monitor", "civil_society", "JO", "civil_society", "woman", "JO"),
    ("Dr.", "Jörg Hübenthal", "Head of Unit, Prevention", "Federal Foreign Office of Germany", "government", "DE", "government", "man", "DE"),
    ("Ms.", "Yolanda Choque Apaza", "Coordinator, Indigenous Rights", "Andean Community Rights Forum", "civil_society", "BO", "civil_society", "woman", "BO"),
    ("Mr.", "Nathaniel Brightwater", "Senior Program Officer", "Foundation for Peaceful Futures", "philanthropy", "US", "philanthropy", "man", "US"),
    ("Dr.", "Hadiza Garba-Lawan", "Special Assistant", "Office of the Special Adviser on Prevention (UN)", "intergovernmental", "US", "intergovernmental", "woman", "NG"),
    ("Mr.", "Đỗ Quang Vĩnh", "Deputy Director, Regional Security", "Ministry of Foreign Affairs of Viet Nam", "government", "VN", "government", "man", "VN"),
    ("Ms.", "Margaux Lestringant", "Director, Atrocity Prevention", "Ministry for Europe and Foreign Affairs of France", "government", "FR", "government", None, "FR"),
    ("Dr.", "Benoît Mukendi Tshibola", "Lecturer in International Law", "University of Lubumbashi", "academia", "CD", "academia", "man", "CD"),
    ("Ms.", "Sofía Ramírez Villalba", "Senior Adviser, Transitional Justice", "Ministry of Justice of Colombia", "government", "CO", "government", "woman", "CO"),
    ("Mr.", "Oğuzhan Kılıçarslan", "Humanitarian Coordinator", "Regional Humanitarian Response NGO", "civil_society", "TR", "civil_society", "man", "TR"),
    ("Dr.", "Shu Fen Ong-Pereira", "Director, Regional Programmes", "Southeast Asia Peace Research Institute", "academia", "SG", "academia", "woman", "SG"),
    ("Mr.", "Fiachra O'Kelleher", "Counsellor, Multilateral Affairs", "Department of Foreign Affairs of Ireland", "government", "IE", "government", "man", "IE"),
    ("Ms.", "Hodan Warsame Gure", "Founder", "Horn of Africa Women's Peace Network", "civil_society", "KE", "civil_society", "woman", "SO"),
    ("Dr.", "Joaquim Assunção Braga", "Professor of International Relations", "Federal University of Rio de Janeiro", "academia", "BR", "academia", "man", "BR"),
    ("Ms.", "Meredith Callowhill", "Deputy Director, Policy Planning", "Department of State (United States)", "government", "US", "government", "woman", "US"),
    ("Mr.", "Youssef El Ghazouani", "Director of Studies", "Maghreb Institute for Strategic Studies", "academia", "MA", "academia", "man", "MA"),
    ("Ms.", "Deepthi Kollengode", "Journalist, Foreign Affairs", "The Regional Review", "media", "IN", "media", "woman", "IN"),
    ("Mr.", "Åke Lindqvist-Hermansson", "Senior Officer, Conflict Prevention", "Organization for Security and Co-operation (Secretariat)", "intergovernmental", "AT", "intergovernmental", "man", "SE"),
    ("Ms.", "Wairimu Gathoni-Odera", "Head of Programmes", "East Africa Early Response Fund", "philanthropy", "KE", "philanthropy", "woman", "KE"),
    ("Dr.", "Bohdan Yaremchuk-Sirko", "Analyst", "Institute for Euro-Atlantic Cooperation", "academia", "UA", "academia", "man", "UA"),
    ("Ms.", "Mursal Sadaat-Nuri", "Protection Officer", "Refugee Protection Agency (UN)", "intergovernmental", "CH", "intergovernmental", "woman", "AF"),
    ("Mr.", "Prosper Havyarimana-Kaze", "Executive Director", "Great Lakes Dialogue Centre", "civil_society", "RW", "civil_society", None, "BI"),
]

#: People invited to the upcoming edition who were not at the 2012 roundtable.
NEW_INVITEES = [
    ("Dr.", "Gulnara Temirbekova", "Director, Prevention Programme", "Central Asia Peace Institute", "academia", "KZ", "academia", "woman", "KZ"),
    ("Mr.", "Viliami Taufahema-Kupu", "Climate Security Adviser", "Pacific Islands Regional Secretariat", "intergovernmental", "FJ", "intergovernmental", "man", "TO"),
    ("Ms.", "Ngozika Anyanwu-Obi", "Senior Fellow", "West Africa Policy Centre", "academia", "SN", "academia", "woman", "NG"),
    ("Mr.", "Maarten van Oosterwijk", "Head of Section, Stabilisation", "Ministry of Foreign Affairs of the Netherlands", "government", "NL", "government", "man", "NL"),
    ("Ms.", "Ludovica Sbarbaro", "Programme Officer", "Mediterranean Dialogue Foundation", "philanthropy", "IT", "philanthropy", "woman", "IT"),
    ("Dr.", "Yaw Boakye-Ansong", "Adviser, Early Warning", "Continental Early Warning Unit", "intergovernmental", "ET", "intergovernmental", "man", "GH"),
    ("Ms.", "Marisol Coyoy Tzul", "Director", "Central American Human Rights Observatory", "civil_society", "GT", "civil_society", "woman", "GT"),
    ("Mr.", "Nafisul Karim Bhuiyan", "Correspondent", "South Asia Policy Wire", "media", "BD", "media", "man", "BD"),
]

#: Staff and rapporteurs of the foundation (fictional).
FOUNDATION = "Foundation for Peaceful Futures"
