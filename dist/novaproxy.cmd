@echo off
rem Starts the novaproxy CLI from the jar beside this script.
setlocal
set "HOME_DIR=%~dp0"
set "JAR=%HOME_DIR%lib\novaproxy.jar"
if not exist "%JAR%" set "JAR=%HOME_DIR%..\lib\novaproxy.jar"
if not exist "%JAR%" (
  echo novaproxy: cannot find lib\novaproxy.jar; build it with 'mvn package'. 1>&2
  exit /b 1
)
set "JAVA=java"
if defined JAVA_HOME set "JAVA=%JAVA_HOME%\bin\java"
"%JAVA%" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 %NOVAPROXY_JAVA_OPTS% -jar "%JAR%" %*
