"""Places from the domain brief (decimal degrees), for building test states."""

KHAN_SHAYKHUN = {"lat": 35.4389, "lon": 36.6511}
MOREK = {"lat": 35.3753, "lon": 36.6872}
KAFR_ZITA = {"lat": 35.3736, "lon": 36.6017}
AL_LATAMINA = {"lat": 35.3208, "lon": 36.6225}
QALAAT_AL_MADIQ = {"lat": 35.4200, "lon": 36.3921}
IDLIB_CITY = {"lat": 35.933, "lon": 36.633}
HAMA = {"lat": 35.135, "lon": 36.750}
ALEPPO = {"lat": 36.217, "lon": 37.167}
LATAKIA = {"lat": 35.517, "lon": 35.783}
MAARAT_AL_NUMAN = {"lat": 35.6433, "lon": 36.6683}
KAFR_NABL = {"lat": 35.6139, "lon": 36.5611}
SARAQIB = {"lat": 35.8636, "lon": 36.8006}
JISR_AL_SHUGHUR = {"lat": 35.8126, "lon": 36.3176}
ARIHA = {"lat": 35.817, "lon": 36.600}
