from fastapi import APIRouter

router = APIRouter(tags=["场次、交接与点名"])
