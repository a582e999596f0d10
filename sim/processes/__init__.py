"""The monthly processes, one module each, run in this order by the model:

demography (ageing, exit at 65, deaths, entry at 16, net migration) -> health ->
work -> incapacity benefit -> disability benefit.

Each process is a numba kernel over all person slots, split into a fixed number of chunks
(``N_CHUNKS``) that run in parallel; flows are accumulated per chunk and summed in chunk
order, so results are identical whatever the number of threads.
"""

N_CHUNKS = 64
