"""Demo territories: Terres des Confluences and Ouest Aveyron, with their real communes and contracts."""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from consult.core.cli import cli_operator
from consult.territories import services as territories
from consult.territories.models import Phase, territory_by_slug

# The sample of real communes lives in core: tests/conftest.py reads it too.
DEMO_DIR = Path(__file__).resolve().parent.parent / "core" / "demo"

TERRITORIES = [
    {
        "slug": "terres-des-confluences",
        "name": "Terres des Confluences",
        "epcis": [("CC Terres des Confluences", "200066322")],
        "controller": "Communauté de communes Terres des Confluences",
        "dpo_contact": "Personne déléguée à la protection des données de la communauté de communes",
        "presentation": (
            "Depuis août 2019, les élus de la communauté de communes s'impliquent dans le domaine de la santé. "
            "Un premier Contrat local de santé a été signé avec l'Agence régionale de santé Occitanie pour "
            "quatre ans ; il a été renouvelé en 2023 pour cinq ans.\n\n"
            "Le CLS vise à réduire les inégalités sociales et territoriales de santé, à mieux articuler les "
            "acteurs du sanitaire, du social et du médico-social, et à favoriser l'émergence d'une "
            "**démocratie sanitaire** en associant les habitants aux réflexions sur la santé."
        ),
        "contracts": [
            {
                "generation": 1, "title": "CLS Terres des Confluences 2019-2022",
                "start": dt.date(2019, 8, 1), "end": dt.date(2022, 12, 31), "phase": Phase.ENDED,
                "summary": "Premier contrat, signé en août 2019 pour quatre ans, sur la base d'un diagnostic "
                           "territorial partagé élaboré par l'Observatoire régional de santé.",
                "signatories": ["Communauté de communes Terres des Confluences", "ARS Occitanie"],
                "partners": [],
                "axes": [
                    ("Prévention et promotion de la santé", ["Améliorer le recours au dépistage"]),
                    ("Accès aux soins", ["Favoriser l'installation de nouveaux professionnels de santé"]),
                    ("Santé environnementale", ["Développer des actions pour une alimentation durable"]),
                    ("Santé mentale", ["Mieux orienter les personnes en souffrance psychique"]),
                ],
            },
            {
                "generation": 2, "title": "CLS 2 Terres des Confluences 2023-2027",
                "start": dt.date(2023, 1, 1), "end": dt.date(2027, 12, 31), "phase": Phase.SIGNED,
                "summary": "Le deuxième contrat, réajusté dans sa configuration, est déployé sur l'ensemble du "
                           "territoire. Il vise une offre de services à la population organisée et lisible, un "
                           "plan de communication construit avec les acteurs et une coordination de l'offre "
                           "qui rende le territoire attractif pour les nouveaux professionnels.",
                "signatories": ["Communauté de communes Terres des Confluences", "ARS Occitanie"],
                "partners": [
                    "Direction départementale de l'ARS 82 (DDARS)",
                    "Conseil départemental de Tarn-et-Garonne",
                    "Centre hospitalier intercommunal de Castelsarrasin-Moissac",
                    "Caisse primaire d'assurance maladie de Tarn-et-Garonne",
                    "Mutualité sociale agricole Midi-Pyrénées Nord",
                    "CAF 82",
                    "DAC 82 (Dispositif d'appui à la coordination)",
                    "CPTS Quercy Garonne",
                ],
                "axes": [
                    ("Redimensionner le volet santé de la compétence action sociale d'intérêt communautaire", [
                        "Offrir à la population une offre de services organisée et lisible",
                        "Coordonner une commission de coordination sanitaire territoriale",
                    ]),
                    ("Valoriser les actions mises en œuvre par les partenaires sur le territoire", [
                        "Construire avec les acteurs un plan de communication sur les services de santé",
                        "Diffuser les actualités santé du territoire",
                    ]),
                    ("Favoriser la mise en relation des acteurs (élus, professionnels…)", [
                        "Accueillir les nouveaux praticiens de santé sur le territoire",
                        "Former les élus aux inégalités sociales et territoriales de santé",
                    ]),
                    ("Développer l'essor d'actions complémentaires innovantes", [
                        "Lancer un foodtruck social, solidaire, itinérant et intergénérationnel",
                        "Conduire un projet de santé environnement avec les communes",
                    ]),
                ],
            },
        ],
    },
    {
        "slug": "ouest-aveyron",
        "name": "Ouest Aveyron Communauté",
        "epcis": [("CC Ouest Aveyron Communauté", "200069383")],
        "controller": "Ouest Aveyron Communauté",
        "dpo_contact": "Personne déléguée à la protection des données de la communauté de communes",
        "presentation": (
            "Ouest Aveyron Communauté s'engage dans l'accès aux soins et à la santé : élaboration et animation "
            "du Contrat local de santé, création et gestion communautaire des maisons de santé "
            "pluriprofessionnelles.\n\n"
            "Des groupes de travail d'environ 8 à 15 personnes — acteurs institutionnels et professionnels, "
            "élus et habitants — définissent et suivent les actions du CLS."
        ),
        "contracts": [
            {
                "generation": 1, "title": "CLS Ouest Aveyron Communauté 2022-2026",
                "start": dt.date(2022, 1, 1), "end": dt.date(2026, 12, 31), "phase": Phase.SIGNED,
                "summary": "Contrat de cinq ans qui s'appuie sur un plan d'actions co-construit avec l'ensemble "
                           "des parties prenantes à partir des besoins de la population et du territoire.",
                "signatories": ["Ouest Aveyron Communauté", "ARS Occitanie"],
                "partners": [
                    "Conseil local de santé mentale",
                    "Communauté professionnelle territoriale de santé (CPTS)",
                    "Dispositif d'appui à la coordination (DAC)",
                ],
                "axes": [
                    ("Prévention et promotion de la santé", [
                        "Développer le pouvoir d'agir : premiers secours et littératie en santé",
                        "Encourager la pratique d'une activité physique",
                        "Prévenir les addictions",
                    ]),
                    ("Accès aux soins", [
                        "Conforter les maisons de santé pluriprofessionnelles",
                        "Accompagner le parcours de santé des personnes âgées",
                    ]),
                    ("Santé environnementale", ["Agir sur les déterminants de santé : logement, transports"]),
                    ("Santé mentale", ["Articuler le CLS avec le projet territorial de santé mentale"]),
                ],
            },
        ],
    },
]


def _sample_rows(siren: str) -> list[dict[str, str]]:
    with (DEMO_DIR / "territory_sample.csv").open(encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["epci_siren"] == siren]


def _communes_csv(sirens: list[str]) -> bytes:
    lines = ["insee_code,name,population,population_year,epci_siren"]
    for siren in sirens:
        for row in _sample_rows(siren):
            name = row["commune_name"].replace('"', '""')
            lines.append(f'{row["insee_code"]},"{name}",{row["population"]},{row["population_year"]},{siren}')
    return ("\n".join(lines) + "\n").encode()


def seed_territory(spec: dict) -> None:
    """Create the territory, its communes and contracts unless it exists already."""
    operator = cli_operator()
    if territory_by_slug(spec["slug"]) is not None:
        return
    territory = territories.create_territory(operator, territories.TerritoryData(
        name=spec["name"], slug=spec["slug"], presentation=spec["presentation"],
        controller=spec["controller"], dpo_contact=spec["dpo_contact"],
    ))
    territories.set_epcis(operator, territory, spec["epcis"])
    territories.import_communes(operator, territory, _communes_csv([s for _n, s in spec["epcis"]]))
    for contract_spec in spec["contracts"]:
        contract = territories.create_contract(operator, territory, territories.ContractData(
            generation=contract_spec["generation"], title=contract_spec["title"], summary=contract_spec["summary"],
            start_date=contract_spec["start"], end_date=contract_spec["end"], phase=contract_spec["phase"],
            signatories=tuple(contract_spec["signatories"]), partners=tuple(contract_spec["partners"]),
        ))
        for title, objectives in contract_spec["axes"]:
            axis = territories.add_axis(operator, contract, territories.ItemData(title))
            for objective in objectives:
                territories.add_objective(operator, axis, territories.ItemData(objective))


def seed_territories() -> None:
    """Create the demo territories unless they exist."""
    for spec in TERRITORIES:
        seed_territory(spec)
