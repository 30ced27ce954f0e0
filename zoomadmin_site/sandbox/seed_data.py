"""Word lists for the demo seed. Companies are Microsoft's published fictitious names (no real firms)."""

from __future__ import annotations

FIRST_NAMES = """
Aaliyah Aaron Abigail Adrian Aisha Alejandro Alex Alice Amara Amelia Ana Andre Andrew Anika Anna Arjun
Aria Ava Benjamin Bianca Brandon Caleb Camila Carlos Carmen Charlotte Chen Chloe Chris Daniel David
Deepa Diego Dmitri Elena Eli Elif Elijah Emily Emma Ethan Fatima Felix Fiona Gabriel Grace Hana Hannah
Harper Hassan Henry Hiro Ian Imani Isaac Isabella Ivan Jack Jada James Jasmine Javier Jin Joao Jonah
Jordan Jose Julia Kai Kamala Karen Keanu Kenji Kevin Kofi Laila Lara Leah Leo Liam Lina Lucas Luis Maya
Mei Mia Michael Mila Mohammed Nadia Naomi Nathan Nia Noah Nora Oliver Omar Owen Paolo Pedro Quinn Rafael
Rania Ravi Rebecca Riley Rosa Ryan Sara Sebastian Sofia Sophie Stefan Sven Tariq Thea Theo Valentina
Victor Wei William Yara Yusuf Zara Zoe
""".split()  # noqa: SIM905 - a compact word list

LAST_NAMES = """
Abbott Acosta Adeyemi Aguilar Ahmed Alvarez Andersen Bauer Bennett Bianchi Bose Brennan Brooks Campbell
Castillo Chang Chen Costa Cruz Dalton Das Delgado Dubois Duarte Edwards Eriksson Evans Farouk Fernandes
Fischer Fitzgerald Flores Foster Garcia Gill Gomez Greene Gupta Hale Hansen Harper Hayes Herrera
Hoffmann Holt Hughes Ibrahim Ito Jansen Jensen Johansson Kapoor Kaur Keller Kim Klein Kowalski Kumar
Larsen Lee Lopez Lund Madsen Martin Mendes Meyer Mills Mitchell Moreau Morales Murphy Nakamura Nguyen
Nielsen Novak Obi Okoye Olsen Ortiz Park Patel Pereira Petrov Quinn Ramos Reed Reyes Rossi Russo Sanchez
Santos Sato Schmidt Shah Silva Singh Sokolov Suzuki Tanaka Thompson Torres Tran Turner Vargas Varga
Vogel Walsh Wang Weber Wilson Wong Yamamoto Yilmaz Young Zhang Zimmermann
""".split()  # noqa: SIM905 - a compact word list

DEPARTMENTS = (
    ("Engineering", 22),
    ("Sales", 16),
    ("Support", 12),
    ("Customer Success", 8),
    ("Marketing", 8),
    ("Operations", 7),
    ("Finance", 6),
    ("IT", 5),
    ("HR", 5),
    ("Product", 6),
    ("Legal", 3),
    ("Facilities", 2),
)

JOB_TITLES = {
    "Engineering": ("Software Engineer", "Senior Software Engineer", "Engineering Manager", "SRE"),
    "Sales": ("Account Executive", "Sales Development Rep", "Regional Sales Manager"),
    "Support": ("Support Specialist", "Support Team Lead", "Technical Support Engineer"),
    "Customer Success": ("Customer Success Manager", "Onboarding Specialist"),
    "Marketing": ("Marketing Manager", "Content Strategist", "Events Coordinator"),
    "Operations": ("Operations Analyst", "Program Manager"),
    "Finance": ("Financial Analyst", "Controller", "Accounts Payable Specialist"),
    "IT": ("IT Administrator", "Systems Engineer", "Help Desk Technician"),
    "HR": ("HR Business Partner", "Recruiter", "People Operations Specialist"),
    "Product": ("Product Manager", "Product Designer", "UX Researcher"),
    "Legal": ("Counsel", "Paralegal"),
    "Facilities": ("Facilities Coordinator", "Workplace Manager"),
}

TIMEZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Australia/Sydney",
)
LOCATIONS = ("New York", "Chicago", "Denver", "San Francisco", "London", "Berlin", "Bengaluru", "Singapore")

COMPANIES = (
    "Contoso",
    "Fabrikam",
    "Northwind Traders",
    "Adventure Works",
    "Tailspin Toys",
    "Wingtip Toys",
    "Woodgrove Bank",
    "Litware",
    "Proseware",
    "Lucerne Publishing",
    "Coho Winery",
    "Fourth Coffee",
    "Alpine Ski House",
    "Wide World Importers",
)

TOPICS = (
    "{dept} weekly sync",
    "{dept} team standup",
    "{dept} planning",
    "1:1 {first} / {other}",
    "Customer onboarding: {company}",
    "Quarterly business review: {company}",
    "Renewal call: {company}",
    "Interview loop: {role}",
    "Project kickoff: {project}",
    "{project} design review",
    "{project} retrospective",
    "Budget review {quarter}",
    "Office hours with {first}",
    "Training: {training}",
    "Vendor check-in: {company}",
    "Hiring sync: {role}",
)
PROJECTS = ("Atlas", "Beacon", "Cobalt", "Delta", "Ember", "Falcon", "Granite", "Harbor", "Iris", "Juniper")
TRAININGS = ("Security awareness", "New manager basics", "Expense policy", "Accessibility 101", "Zoom tips")
QUARTERS = ("Q1", "Q2", "Q3", "Q4")
DURATIONS = (15, 30, 30, 30, 45, 60, 60, 60, 90, 120)
LONG_AGENDA = (
    "Agenda: 1) Review last period's numbers and open action items. 2) Walk through the pipeline by "
    "region and flag deals at risk. 3) Discuss staffing for the next quarter and the hiring plan. "
    "4) Customer escalations and what we learned. 5) Decisions needed from leadership, owners and due "
    "dates. Please read the pre-read document before the meeting and add your questions to it."
)
