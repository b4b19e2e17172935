from fastapi import APIRouter

router = APIRouter(tags=["教师课时"])
