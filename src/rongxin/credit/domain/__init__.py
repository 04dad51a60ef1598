"""The credit engine's pure rules: the hash chain, an entry's life, periods, score and grade, yearly caps,
import rows. No database access."""
