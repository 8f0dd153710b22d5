"""Answering a review: the reply templates, the reply guard and its rules (guard_rules.toml),
which language a reply or review is in (language), where a reply goes (targets), the flow from
draft to posted and what came of it, the checks of templates and rules, and the case's modals."""
