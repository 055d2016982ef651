"""Home of the audit rules over the event stream (DOMAIN.md section 4, issue 9): one module per
rule (A01 ... A14), each a projection that raises findings with their evidence events, run by
the runner like a view so its position and failures show in projectionStatus. Not built yet.
"""
