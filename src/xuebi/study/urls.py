"""(stub — being written)"""
app_name = "study"
urlpatterns = []
