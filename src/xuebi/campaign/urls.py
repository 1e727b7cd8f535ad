"""(stub — being written)"""
app_name = "campaign"
urlpatterns = []
