"""The one way Kehou turns counts into the rates schools report (参与率 83.13%, 满意度 100%)."""


def percent(part: int | float, whole: int | float) -> float:
    """part / whole × 100 with two decimals; 0 when there is nothing to divide by."""
    return round(part * 100 / whole, 2) if whole else 0.0
