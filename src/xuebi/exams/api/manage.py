from ninja import Router

router = Router(tags=["考试"])
