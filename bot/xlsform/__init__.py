"""XLSForm files: read with pyxform (the format's reference implementation) and written with
openpyxl; the conversion to and from the questionnaire model is pure, in ``flows.questionnaire``."""
