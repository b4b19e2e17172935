from fastapi import APIRouter

router = APIRouter(tags=["临时班"])
