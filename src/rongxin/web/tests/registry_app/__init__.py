"""A throwaway app for the registry tests: it contributes a navigation item and a file panel from
its ``apps.py`` and nothing else, so the shell can only have learnt of them from the registries."""
