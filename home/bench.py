"""Bench scenarios for the home app (the data comes from load_demo_data)."""


def scenarios():
    return [
        {"name": "home page", "path": "/"},
        {"name": "guidance page", "path": "/guidance/sharing-power/"},
        {"name": "site search", "path": "/search/?q=power"},
    ]
