"""The on-call rotation: who is on call when, changed from Slack, handed off every week.

values.py   the typed values shared with bot/oncall/blocks.py (imports nothing from this
            package, so the blocks use them without a cycle)
schedule.py when hand-offs fall and whose turn it is: pure arithmetic
parse.py    reading people and moments as typed in `/reviewdesk oncall`
service.py  the rotation kept in the database: seeding, questions, changes, hand-offs
handoffs.py what a hand-off sends (its messages, the on-call user group), as outbox rows
command.py  `OnCall`: the service plus the `/reviewdesk oncall …` dispatcher
checks.py   what `reviewdesk check-config` warns about the rotation

This file imports nothing, on purpose: importing bot.oncall.values must not load the service.
"""
