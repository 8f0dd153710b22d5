"""The twin's fixed names: its team and app, and the channels and people every twin starts with."""

TEAM_NAME = "Fake Hospital"
TEAM_DOMAIN = "fake"
APP_ID = "A0001"
BOT_ID = "B0001"

C_TRIAGE = "C_TRIAGE"
C_PX_NORTH = "C_PX_NORTH"
C_PX_SOUTH = "C_PX_SOUTH"
C_RISK = "C_RISK"
DEFAULT_CHANNELS = {
    C_TRIAGE: "review-triage",
    C_PX_NORTH: "px-north",
    C_PX_SOUTH: "px-south",
    C_RISK: "review-risk",
}

U_MARIA = "U_MARIA"
U_SAM = "U_SAM"
U_LEE = "U_LEE"
U_PX1 = "U_PX1"
DEFAULT_USERS = {U_MARIA: "maria", U_SAM: "sam", U_LEE: "lee", U_PX1: "pat"}
