"""Postfix as the relay the CRM sends through: the mapping of a config onto main.cf
parameters and map files (:mod:`.params`, :mod:`.tables`), the managed block of main.cf
(:mod:`.maincf`), the Postfix commands (:mod:`.commands`) and the apply target
(:mod:`.target`)."""
