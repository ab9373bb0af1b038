"""The fictional participants of the demo roundtables.

Every person here is invented; organization names are generic descriptions, not real bodies.
Columns: honorific, name, position, organization, org sector, country (ISO alpha-2), sector,
self-identified gender (None = not given), nationality.
"""
from __future__ import annotations

PARTICIPANTS_2012 = [
    ("Amb.", "Kwame Mensah-Boateng", "Director, Political Affairs", "Ministry of Foreign Affairs of Ghana", "government", "GH", "government", "man", "GH"),
    ("Dr.", "Lucía Fernández Ortega", "Senior Researcher", "Instituto de Estudios para la Paz", "academia", "AR", "academia", "woman", "AR"),
    ("Ms.", "Hana Takahashi", "Deputy Director, Peacebuilding Division", "Ministry of Foreign Affairs of Japan", "government", "JP", "government", "woman", "JP"),
    ("Mr.", "Tomasz Wiśniewski", "Policy Officer, Crisis Response", "European External Action Service", "intergovernmental", "BE", "intergovernmental", "man", "PL"),
    ("Ms.", "Nomvula Dlamini", "Programme Director", "Southern Africa Civil Protection Network", "civil_society", "ZA", "civil_society", "woman", "ZA"),
    ("Dr.", "Arjun Mehta", "Fellow, Conflict Prevention", "Centre for Policy Dialogue, New Delhi", "academia", "IN", "academia", "man", "IN"),
    ("Col.", "Ingrid Solberg", "Senior Adviser, Protection of Civilians", "Norwegian Ministry of Defence", "government", "NO", "government", "woman", "NO"),
    ("Mr.", "Samuel Okonjo", "Early Warning Analyst", "Regional Economic Community Early Warning Centre", "intergovernmental", "NG", "intergovernmental", "man", "NG"),
    ("Ms.", "Farah Haddad", "Director", "Levant Human Rights Monitor", "civil_society", "JO", "civil_society", "woman", "JO"),
    ("Dr.", "Martin Keller", "Head of Unit, Prevention", "Federal Foreign Office of Germany", "government", "DE", "government", "man", "DE"),
    ("Ms.", "Rosa Quispe Mamani", "Coordinator, Indigenous Rights", "Andean Community Rights Forum", "civil_society", "BO", "civil_society", "woman", "BO"),
    ("Mr.", "David Levin", "Senior Program Officer", "Foundation for Peaceful Futures", "philanthropy", "US", "philanthropy", "man", "US"),
    ("Dr.", "Aisha Bello", "Special Assistant", "Office of the Special Adviser on Prevention (UN)", "intergovernmental", "US", "intergovernmental", "woman", "NG"),
    ("Mr.", "Nguyen Van Thanh", "Deputy Director, Regional Security", "Ministry of Foreign Affairs of Viet Nam", "government", "VN", "government", "man", "VN"),
    ("Ms.", "Claire Dubois", "Director, Atrocity Prevention", "Ministry for Europe and Foreign Affairs of France", "government", "FR", "government", None, "FR"),
    ("Dr.", "Joseph Kabila Mwamba", "Lecturer in International Law", "University of Lubumbashi", "academia", "CD", "academia", "man", "CD"),
    ("Ms.", "Sofía Ramírez", "Senior Adviser, Transitional Justice", "Ministry of Justice of Colombia", "government", "CO", "government", "woman", "CO"),
    ("Mr.", "Emre Yıldız", "Humanitarian Coordinator", "Regional Humanitarian Response NGO", "civil_society", "TR", "civil_society", "man", "TR"),
    ("Dr.", "Mei Lin Chua", "Director, Regional Programmes", "Southeast Asia Peace Research Institute", "academia", "SG", "academia", "woman", "SG"),
    ("Mr.", "Patrick O'Connell", "Counsellor, Multilateral Affairs", "Department of Foreign Affairs of Ireland", "government", "IE", "government", "man", "IE"),
    ("Ms.", "Amal Yusuf Abdi", "Founder", "Horn of Africa Women's Peace Network", "civil_society", "KE", "civil_society", "woman", "SO"),
    ("Dr.", "Rafael Costa Lima", "Professor of International Relations", "Federal University of Rio de Janeiro", "academia", "BR", "academia", "man", "BR"),
    ("Ms.", "Sarah Whitfield", "Deputy Director, Policy Planning", "Department of State (United States)", "government", "US", "government", "woman", "US"),
    ("Mr.", "Ahmed Benali", "Director of Studies", "Maghreb Institute for Strategic Studies", "academia", "MA", "academia", "man", "MA"),
    ("Ms.", "Priyanka Raghavan", "Journalist, Foreign Affairs", "The Regional Review", "media", "IN", "media", "woman", "IN"),
    ("Mr.", "Lars Eriksson", "Senior Officer, Conflict Prevention", "Organization for Security and Co-operation (Secretariat)", "intergovernmental", "AT", "intergovernmental", "man", "SE"),
    ("Ms.", "Grace Achieng", "Head of Programmes", "East Africa Early Response Fund", "philanthropy", "KE", "philanthropy", "woman", "KE"),
    ("Dr.", "Oleksandr Bondarenko", "Analyst", "Institute for Euro-Atlantic Cooperation", "academia", "UA", "academia", "man", "UA"),
    ("Ms.", "Zainab Karimi", "Protection Officer", "Refugee Protection Agency (UN)", "intergovernmental", "CH", "intergovernmental", "woman", "AF"),
    ("Mr.", "Jean-Baptiste Nkurunziza", "Executive Director", "Great Lakes Dialogue Centre", "civil_society", "RW", "civil_society", None, "BI"),
]

#: People invited to the upcoming edition who were not at the 2012 roundtable.
NEW_INVITEES = [
    ("Dr.", "Leila Haidari", "Director, Prevention Programme", "Central Asia Peace Institute", "academia", "KZ", "academia", "woman", "KZ"),
    ("Mr.", "Tevita Fifita", "Climate Security Adviser", "Pacific Islands Regional Secretariat", "intergovernmental", "FJ", "intergovernmental", "man", "TO"),
    ("Ms.", "Chiamaka Eze", "Senior Fellow", "West Africa Policy Centre", "academia", "SN", "academia", "woman", "NG"),
    ("Mr.", "Henrik Jansen", "Head of Section, Stabilisation", "Ministry of Foreign Affairs of the Netherlands", "government", "NL", "government", "man", "NL"),
    ("Ms.", "Valentina Rossi", "Programme Officer", "Mediterranean Dialogue Foundation", "philanthropy", "IT", "philanthropy", "woman", "IT"),
    ("Dr.", "Kofi Asante", "Adviser, Early Warning", "Continental Early Warning Unit", "intergovernmental", "ET", "intergovernmental", "man", "GH"),
    ("Ms.", "Ana Lucía Torres", "Director", "Central American Human Rights Observatory", "civil_society", "GT", "civil_society", "woman", "GT"),
    ("Mr.", "Rahul Bhattacharya", "Correspondent", "South Asia Policy Wire", "media", "BD", "media", "man", "BD"),
]

#: Staff and rapporteurs of the foundation (fictional).
FOUNDATION = "Foundation for Peaceful Futures"
