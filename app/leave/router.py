from fastapi import APIRouter

router = APIRouter(tags=["请假"])
